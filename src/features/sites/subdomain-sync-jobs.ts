import { sql, type Transaction } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';

/**
 * Queues `dns.sync_subdomain` for each subdomain a portfolio change touched, in the change's
 * own transaction (R-SEC-2). The job id names the transaction: every change gets its own run,
 * which a finished run of an earlier change cannot absorb, and the outbox keeps it once.
 */
export async function enqueueSubdomainRecordSync(
  trx: Transaction<Database>,
  enqueueInTransaction: EnqueueInTransaction,
  portfolioId: string,
  subdomains: readonly (string | null)[],
): Promise<void> {
  const touched = [...new Set(subdomains)].filter((subdomain) => subdomain !== null);
  if (touched.length === 0) {
    return;
  }
  const { rows } = await sql<{
    xid: string;
  }>`SELECT pg_current_xact_id()::text AS xid`.execute(trx);
  const xid = rows[0]?.xid ?? '0';
  for (const subdomain of touched) {
    await enqueueInTransaction(trx, {
      jobName: 'dns.sync_subdomain',
      jobId: `dns-sync-${portfolioId}-${subdomain}-${xid}`,
      payload: { portfolioId, subdomain },
    });
  }
}
