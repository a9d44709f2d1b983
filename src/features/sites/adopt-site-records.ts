import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { DnsProvider, DnsRecord } from '../../integrations/dns/dns-provider.ts';
import type { SiteRecords } from '../../integrations/dns/site-records.ts';
import { listPortfolioSubdomains } from './subdomain-records.repository.ts';

export interface AdoptionEntry {
  readonly record: DnsRecord;
  readonly portfolioId: string;
}

export interface AdoptionReport {
  readonly applied: boolean;
  /** Marked (or, in a dry run, to be marked) as their portfolio's. */
  readonly adopted: readonly AdoptionEntry[];
  /** Changed or marked by someone else between the listing and the marking: left alone. */
  readonly changed: readonly AdoptionEntry[];
  /** Unmarked CNAMEs at a portfolio's host that point elsewhere: never ours to claim. */
  readonly ignored: readonly AdoptionEntry[];
}

export interface AdoptSiteRecordsDeps {
  readonly db: Kysely<Database>;
  readonly dns: Pick<DnsProvider, 'listUnmarkedRecords' | 'adoptRecord'>;
  readonly siteRecords: Pick<SiteRecords, 'hostnameFor' | 'target' | 'ownerOf'>;
}

const normalise = (host: string) => host.toLowerCase().replace(/\.$/, '');

/**
 * `dns adopt` (R-SEC-2): finds the records installations created before records carried an
 * owner, and marks them as their portfolio's. Only CNAMEs without any mark or comment, at the
 * host of a current portfolio, pointing at the site target; nothing else is touched. A dry
 * run (`apply: false`) changes nothing.
 */
export async function adoptSiteRecords(
  deps: AdoptSiteRecordsDeps,
  options: { readonly apply: boolean },
): Promise<AdoptionReport> {
  const { dns, siteRecords } = deps;
  const owners = new Map(
    (await listPortfolioSubdomains(deps.db)).map(
      ({ portfolioId, subdomain }) => [siteRecords.hostnameFor(subdomain), portfolioId] as const,
    ),
  );
  const target = normalise(siteRecords.target);
  const candidates: AdoptionEntry[] = [];
  const ignored: AdoptionEntry[] = [];
  for (const record of await dns.listUnmarkedRecords({ type: 'CNAME' })) {
    const portfolioId = owners.get(normalise(record.name));
    if (portfolioId === undefined) {
      continue;
    }
    (normalise(record.content) === target ? candidates : ignored).push({ record, portfolioId });
  }
  if (!options.apply) {
    return { applied: false, adopted: candidates, changed: [], ignored };
  }
  const adopted: AdoptionEntry[] = [];
  const changed: AdoptionEntry[] = [];
  for (const entry of candidates) {
    const marked = await dns.adoptRecord(entry.record, siteRecords.ownerOf(entry.portfolioId));
    (marked ? adopted : changed).push(entry);
  }
  return { applied: true, adopted, changed, ignored };
}
