import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

import { Agent, buildConnector, type Dispatcher } from 'undici';

import { hasUserinfo } from '../../lib/web-url.ts';
import { classifyIpAddress, isPermittedAddressClass } from './classify-ip-address.ts';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has (the shape of `dns.lookup` with `all`). */
export type ResolveHost = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface SsrfGuardOptions {
  /**
   * Also permit loopback and private ranges (local development, tests, operator targets).
   * Link-local (cloud metadata), multicast, unspecified and reserved stay refused.
   * @defaultValue false
   */
  readonly allowLoopback?: boolean;
  /** Resolves host names, both when a URL is checked and at connect time. @defaultValue dns.lookup */
  readonly lookup?: ResolveHost;
  /** Budget of one TCP (and TLS) connect. @defaultValue 10000 */
  readonly connectTimeoutMs?: number;
}

/**
 * A refusal's `reason` is safe to show whoever gave the URL; `detail` names the resolved
 * addresses and goes to logs only, since it would map internal DNS for a caller (R-SEC-7).
 */
export type UrlVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly detail?: string };

/** What a caller is told about a host that resolves somewhere it may not go. */
export const FORBIDDEN_ADDRESS_REASON = 'resolves to a private or reserved address';

export interface SsrfGuard {
  /** Applies the policy to a URL now: scheme, credentials, and every address its host has. */
  readonly checkUrl: (url: string) => Promise<UrlVerdict>;
  /**
   * Sends requests and applies the same policy again to the addresses it actually connects
   * to, so a host that re-resolves to a private address after `checkUrl` (DNS rebinding)
   * is refused before any connection is made.
   */
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** A connection was refused by the policy; nothing was sent. */
export class SsrfRefusedError extends Error {
  override readonly name: string = 'SsrfRefusedError';
  readonly code = 'ERR_SSRF_REFUSED';
  /** What the URL's owner may read; the message (with addresses) is for logs. */
  readonly publicMessage: string;

  constructor(message: string, publicMessage: string) {
    super(message);
    this.publicMessage = publicMessage;
  }
}

const systemLookup: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err === null) {
        resolve(addresses);
      } else {
        reject(err);
      }
    });
  });

const stripBrackets = (host: string) =>
  host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Builds the guard: one policy, applied when URLs are checked and again at connect time. */
export function createSsrfGuard(options: SsrfGuardOptions = {}): SsrfGuard {
  const policy = { allowLoopback: options.allowLoopback ?? false };
  const resolveHost = options.lookup ?? systemLookup;

  /** What kind of forbidden address this is ("a private address"), or undefined if allowed. */
  function forbiddenKindOf(address: string): string | undefined {
    const addressClass = classifyIpAddress(address);
    if (isPermittedAddressClass(addressClass, policy)) {
      return undefined;
    }
    return `${/^[aeiu]/.test(addressClass) ? 'an' : 'a'} ${addressClass} address`;
  }

  function refusalOf(address: string): string | undefined {
    const kind = forbiddenKindOf(address);
    return kind === undefined ? undefined : `${address} is ${kind}`;
  }

  /** Every address of the host, or why it may not be reached. Mixed answers are refused. */
  async function resolvePermitted(
    hostname: string,
  ): Promise<
    { addresses: readonly ResolvedAddress[] } | { refusal: string; publicReason: string }
  > {
    const host = stripBrackets(hostname);
    if (isIP(host) !== 0) {
      const refusal = refusalOf(host);
      return refusal === undefined
        ? { addresses: [{ address: host, family: isIP(host) }] }
        : { refusal, publicReason: FORBIDDEN_ADDRESS_REASON };
    }
    const addresses = await resolveHost(host);
    if (addresses.length === 0) {
      return {
        refusal: `${host} has no addresses`,
        publicReason: `points to a host with no addresses (${host})`,
      };
    }
    for (const { address } of addresses) {
      const kind = forbiddenKindOf(address);
      if (kind !== undefined) {
        return {
          refusal: `${host} resolves to ${address}, ${kind}`,
          publicReason: FORBIDDEN_ADDRESS_REASON,
        };
      }
    }
    return { addresses };
  }

  // Node calls this for host names only (never for literal IPs, see nodejs/node#55000), so
  // literal addresses are checked in `connect` below before the connector runs.
  function guardedLookup(hostname: string, lookupOptions: LookupOptions, callback: LookupCallback) {
    resolvePermitted(hostname).then(
      (result) => {
        if ('refusal' in result) {
          callback(
            new SsrfRefusedError(`refused: ${result.refusal}`, `the URL ${result.publicReason}`),
            [],
          );
          return;
        }
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6;
        const usable = result.addresses.filter(
          (entry) => !wanted || entry.family === lookupOptions.family,
        );
        const first = usable[0];
        if (first === undefined) {
          callback(
            new SsrfRefusedError(
              `refused: ${hostname} has no usable address`,
              'the host name has no usable address',
            ),
            [],
          );
        } else if (lookupOptions.all === true) {
          callback(
            null,
            usable.map((entry) => ({ address: entry.address, family: entry.family })),
          );
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => {
        callback(err as NodeJS.ErrnoException, []);
      },
    );
  }

  const connector = buildConnector({
    lookup: guardedLookup,
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  const dispatcher = new Agent({
    connect(connectOptions, callback) {
      if (isIP(connectOptions.hostname) !== 0) {
        const refusal = refusalOf(connectOptions.hostname);
        if (refusal !== undefined) {
          callback(
            new SsrfRefusedError(`refused: ${refusal}`, `the URL ${FORBIDDEN_ADDRESS_REASON}`),
            null,
          );
          return;
        }
      }
      connector(connectOptions, callback);
    },
  });

  return {
    async checkUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return { ok: false, reason: 'is not a valid URL' };
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        return { ok: false, reason: 'must use http or https' };
      }
      // Also an empty user (`https://@host/`): the `@` alone makes the URL read as another host.
      if (hasUserinfo(url)) {
        return { ok: false, reason: 'must not contain credentials' };
      }
      try {
        const result = await resolvePermitted(parsed.hostname);
        return 'refusal' in result
          ? { ok: false, reason: result.publicReason, detail: result.refusal }
          : { ok: true };
      } catch {
        return { ok: false, reason: `host ${parsed.hostname} does not resolve` };
      }
    },
    dispatcher,
    async close() {
      await dispatcher.close();
    },
  };
}
