import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { UnavailableError } from '../../errors/app-error.ts';
import type { DnsRecord } from '../../integrations/dns/dns-provider.ts';
import { DnsRecordConflictError } from '../../integrations/dns/dns-record-conflict.ts';
import type { SiteRecords } from '../../integrations/dns/site-records.ts';
import { holdsSubdomain, isSubdomainRecordWanted } from './subdomain-records.repository.ts';

export interface SubdomainRecordDeps {
  readonly db: Kysely<Database>;
  readonly siteRecords: Pick<SiteRecords, 'upsertSubdomain' | 'removeSubdomain' | 'portfolioOf'>;
}

/**
 * Creates or updates the portfolio's record at a subdomain (R-SEC-2). A record that another
 * portfolio left at a name it no longer holds (its removal job still waiting, or lost) is
 * released first, the way that job would: deleted only while still marked as that
 * portfolio's. Anything else at the name throws DnsRecordConflictError.
 */
export async function claimSubdomainRecord(
  deps: SubdomainRecordDeps,
  subdomain: string,
  portfolioId: string,
): Promise<DnsRecord> {
  const { siteRecords } = deps;
  try {
    return await siteRecords.upsertSubdomain(subdomain, portfolioId);
  } catch (err) {
    if (!(err instanceof DnsRecordConflictError)) {
      throw err;
    }
    const holder = siteRecords.portfolioOf(err.heldBy);
    if (
      holder === undefined ||
      holder === portfolioId ||
      (await holdsSubdomain(deps.db, holder, subdomain))
    ) {
      throw err;
    }
    await siteRecords.removeSubdomain(subdomain, holder);
    return siteRecords.upsertSubdomain(subdomain, portfolioId);
  }
}

export interface SubdomainRecordSync {
  /**
   * Makes the portfolio's record at `subdomain` match the portfolio as it is now: present
   * while it is served there (or a deployment for it is under way), gone otherwise. Safe to
   * run late, twice or concurrently: it acts on the current state, not on the change that
   * queued it, and deletes only records still marked as this portfolio's.
   */
  sync(portfolioId: string, subdomain: string): Promise<SubdomainRecordOutcome>;
}

export type SubdomainRecordOutcome =
  | { readonly action: 'kept'; readonly record: string }
  | { readonly action: 'removed'; readonly count: number };

const MAX_ROUNDS = 3;

export function createSubdomainRecordSync(deps: SubdomainRecordDeps): SubdomainRecordSync {
  return {
    async sync(portfolioId, subdomain) {
      for (let round = 1; round <= MAX_ROUNDS; round += 1) {
        const wanted = await isSubdomainRecordWanted(deps.db, portfolioId, subdomain);
        const outcome: SubdomainRecordOutcome = wanted
          ? {
              action: 'kept',
              record: (await claimSubdomainRecord(deps, subdomain, portfolioId)).name,
            }
          : {
              action: 'removed',
              count: await deps.siteRecords.removeSubdomain(subdomain, portfolioId),
            };
        // The portfolio may have changed while the vendor answered, and a run queued by that
        // change may already have finished: the last word must match the state that stays.
        if ((await isSubdomainRecordWanted(deps.db, portfolioId, subdomain)) === wanted) {
          return outcome;
        }
      }
      throw new UnavailableError(
        'dependency.unavailable',
        `portfolio ${portfolioId} kept changing while its ${subdomain} record was synced`,
      );
    },
  };
}
