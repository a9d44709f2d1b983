import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import { listLiveSiteNames, type LiveSiteNames } from './live-sites.repository.ts';
import { parseSiteHost, type SiteAddress, subdomainHost } from './site-address.ts';
import type { SiteHostChanges, SiteHostSubscription } from './site-host-changes.ts';

export interface LiveHostSetOptions {
  readonly db: Kysely<Database>;
  readonly address: SiteAddress;
  readonly changes: SiteHostChanges;
  /** Full re-read interval (`SITE_HOSTS_REFRESH_MS`), which heals lost announcements. */
  readonly refreshIntervalMs: number;
  readonly logger: Logger;
  /**
   * The first load waits this long at most for the subscription, so a change made meanwhile
   * is not missed; past it, the load goes ahead and a later subscription re-reads.
   * @defaultValue 2000
   */
  readonly subscribeWaitMs?: number;
}

/** `unknown` until the first full load has succeeded (PostgreSQL was unreachable). */
export type HostPresence = 'live' | 'absent' | 'unknown';

/** Whether a host serves, and the start tick of the read that said so. */
interface HostEntry {
  readonly live: boolean;
  readonly readAt: number;
}

/** A failed load is retried this soon, however long the refresh interval. */
const RETRY_AFTER_FAILURE_MS = 5_000;

/**
 * The site hosts that are live, held in each process's memory so that a request for any
 * other host costs no query and no Redis round trip (R-SEC-5): unknown hosts are answered
 * from memory. Rebuilt from PostgreSQL at start and every `refreshIntervalMs`; in between,
 * whoever changes what a host serves calls {@link hostsChanged}, which re-reads those hosts
 * here and announces them to the other processes, which re-read them too.
 *
 * Reads may finish out of order, so each result is stamped with the tick at which its read
 * started, and a host keeps the answer of the latest-started read: a read that started after
 * a change committed sees it, and an older read can no longer overwrite it.
 */
export class LiveHostSet {
  readonly #options: LiveHostSetOptions;
  #entries = new Map<string, HostEntry>();
  #tick = 0;
  #loaded = false;
  #closed = false;
  #starting: Promise<void> | undefined;
  #subscription: SiteHostSubscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;

  constructor(options: LiveHostSetOptions) {
    this.#options = options;
  }

  /**
   * Subscribes, loads every live host and schedules the refreshes; later calls share the
   * first. Resolves even when the load failed (then hosts are `unknown` until a retry works).
   */
  start(): Promise<void> {
    // Closed before first use (a request racing shutdown): nothing to open any more.
    if (this.#closed) {
      return this.#starting ?? Promise.resolve();
    }
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** Whether `host` (lower-case, no port) serves a site; starts the set on first use. */
  async check(host: string): Promise<HostPresence> {
    await this.start();
    if (!this.#loaded) {
      return 'unknown';
    }
    return this.#entries.get(host)?.live === true ? 'live' : 'absent';
  }

  /**
   * After a committed change to what `hosts` serve: re-reads them here (when this process
   * holds the set) and tells the other processes. Never throws: a failure is logged and the
   * next full refresh repairs it.
   */
  async hostsChanged(hosts: readonly string[]): Promise<void> {
    if (hosts.length === 0) {
      return;
    }
    const { changes, logger } = this.#options;
    await Promise.all([
      this.#reread(hosts).catch((err: unknown) => {
        logger.warn({ err }, 'could not re-read changed site hosts');
      }),
      changes.publish(hosts).catch((err: unknown) => {
        logger.warn({ err }, 'could not announce changed site hosts');
      }),
    ]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#subscription?.close();
    await this.#refreshing;
  }

  async #start(): Promise<void> {
    const { changes, logger } = this.#options;
    let subscribed: () => void = () => undefined;
    const firstSubscription = new Promise<void>((resolve) => {
      subscribed = resolve;
    });
    this.#subscription = changes.subscribe({
      onHosts: (hosts) => {
        this.#reread(hosts).catch((err: unknown) => {
          logger.warn({ err }, 'could not re-read announced site hosts');
        });
      },
      onSubscribed: () => {
        subscribed();
        // Whatever was announced while the subscription was down is lost: read it all again.
        if (this.#loaded) {
          void this.#refresh();
        }
      },
    });
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([
      firstSubscription,
      new Promise<void>((resolve) => {
        wait = setTimeout(resolve, this.#options.subscribeWaitMs ?? 2_000);
      }),
    ]);
    clearTimeout(wait);
    await this.#refresh();
  }

  /** One full re-read at a time; one asked for during another runs once it ends. */
  #refresh(): Promise<void> {
    if (this.#refreshing !== undefined) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshAgain = false;
    this.#refreshing = (async () => {
      do {
        await this.#loadAll();
      } while (this.#takeRefreshRequest() && !this.#closed);
    })().finally(() => {
      this.#refreshing = undefined;
      this.#schedule();
    });
    return this.#refreshing;
  }

  /** Whether a refresh was asked for while one ran; clears the request. */
  #takeRefreshRequest(): boolean {
    const requested = this.#refreshAgain;
    this.#refreshAgain = false;
    return requested;
  }

  #schedule(): void {
    if (this.#closed) {
      return;
    }
    const { refreshIntervalMs } = this.#options;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        void this.#refresh();
      },
      this.#loaded ? refreshIntervalMs : Math.min(refreshIntervalMs, RETRY_AFTER_FAILURE_MS),
    );
    // Never what keeps a process alive.
    this.#timer.unref();
  }

  async #loadAll(): Promise<void> {
    const startedAt = this.#nextTick();
    let names: LiveSiteNames;
    try {
      names = await listLiveSiteNames(this.#options.db);
    } catch (err) {
      this.#options.logger.warn({ err }, 'could not load the live site hosts');
      return;
    }
    const next = new Map<string, HostEntry>();
    // Re-reads that started after this load know better, live or not.
    for (const [host, entry] of this.#entries) {
      if (entry.readAt > startedAt) {
        next.set(host, entry);
      }
    }
    for (const host of this.#hostsOf(names)) {
      if (!next.has(host)) {
        next.set(host, { live: true, readAt: startedAt });
      }
    }
    this.#entries = next;
    this.#loaded = true;
  }

  /** Re-reads changed hosts into the set, if this process holds one. */
  #reread(hosts: readonly string[]): Promise<void> {
    if (this.#loaded) {
      return this.#recheck(hosts);
    }
    // The first load may have read before this change (or failed): read everything once more.
    return this.#starting === undefined || this.#closed ? Promise.resolve() : this.#refresh();
  }

  async #recheck(hosts: readonly string[]): Promise<void> {
    const among = this.#namesOf(hosts);
    const startedAt = this.#nextTick();
    const live = new Set(this.#hostsOf(await listLiveSiteNames(this.#options.db, among)));
    for (const host of [...among.subdomains.map(this.#subdomainHost), ...among.domains]) {
      const current = this.#entries.get(host);
      if (current === undefined || current.readAt < startedAt) {
        // An absent host is kept as such until the next full load, so a load that started
        // before this read cannot bring it back.
        this.#entries.set(host, { live: live.has(host), readAt: startedAt });
      }
    }
  }

  #nextTick(): number {
    this.#tick += 1;
    return this.#tick;
  }

  readonly #subdomainHost = (subdomain: string): string =>
    subdomainHost(this.#options.address, subdomain);

  #hostsOf(names: LiveSiteNames): string[] {
    return [...names.subdomains.map(this.#subdomainHost), ...names.domains];
  }

  /** Site hosts only; anything else in an announcement names no site and is skipped. */
  #namesOf(hosts: readonly string[]): LiveSiteNames {
    const subdomains: string[] = [];
    const domains: string[] = [];
    for (const host of hosts) {
      const parsed = parseSiteHost(this.#options.address, host);
      if (parsed?.kind === 'subdomain') {
        subdomains.push(parsed.subdomain);
      } else if (parsed?.kind === 'custom') {
        domains.push(parsed.domain);
      }
    }
    return { subdomains, domains };
  }
}
