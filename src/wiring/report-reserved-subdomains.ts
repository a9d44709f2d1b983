import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../db/database-types.ts';
import { listPortfoliosOnReservedSubdomains } from '../features/portfolios/reserved-subdomains.repository.ts';

/**
 * Start-up notice: portfolios already on a subdomain the operator has since reserved
 * (RESERVED_SUBDOMAINS). They keep serving; their next deployment fails. Never throws: a
 * database that is not up yet only costs the notice.
 */
export async function reportReservedSubdomainsInUse(deps: {
  readonly db: Kysely<Database>;
  readonly reservedSubdomains: ReadonlySet<string>;
  readonly logger: Logger;
}): Promise<void> {
  try {
    const found = await listPortfoliosOnReservedSubdomains(deps.db, deps.reservedSubdomains);
    if (found.length > 0) {
      deps.logger.warn(
        { portfolios: found },
        `${String(found.length)} portfolio(s) use subdomains listed in RESERVED_SUBDOMAINS: ` +
          'their sites keep serving, their next deployment fails (deployment.subdomain_invalid)',
      );
    }
  } catch (err) {
    deps.logger.warn({ err }, 'could not check portfolios against RESERVED_SUBDOMAINS');
  }
}
