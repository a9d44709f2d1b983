import type { SubdomainRecordSync } from '../../features/sites/subdomain-records.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';

export type SyncSubdomainRecordPayload = JobPayloadOf<DefaultJobCatalog, 'dns.sync_subdomain'>;

/**
 * `dns.sync_subdomain` (R-SEC-2). DNS failures are thrown as they are: vendor outages are
 * retried, a record we may not touch fails the job for good, and a rate limit delays it.
 */
export function createSyncSubdomainRecordJob(deps: {
  readonly records: Pick<SubdomainRecordSync, 'sync'>;
}): JobHandler<SyncSubdomainRecordPayload> {
  return async ({ portfolioId, subdomain }, context) => {
    const outcome = await deps.records.sync(portfolioId, subdomain);
    context.logger.info({ portfolioId, subdomain, ...outcome }, 'subdomain record synced');
    return outcome.action === 'kept' || outcome.count > 0
      ? { status: 'done' }
      : { status: 'skipped', reason: 'no record of the portfolio at that name' };
  };
}
