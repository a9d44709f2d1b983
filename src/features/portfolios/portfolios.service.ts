import { randomBytes } from 'node:crypto';

import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';

import type { Database } from '../../db/database-types.ts';
import type { CursorCodec } from '../../db/query/cursor-codec.ts';
import {
  type NewestFirstKey,
  newestFirstKeyOf,
  newestFirstKeySchema,
} from '../../db/query/newest-first.ts';
import { type Page, type PageRequest, paginate } from '../../db/query/paginate.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors/app-error.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import type { PurgePortfolioHosts } from '../sites/site-host-purge.ts';
import { enqueueSubdomainRecordSync } from '../sites/subdomain-sync-jobs.ts';
import { findTemplate } from '../templates/templates.repository.ts';
import type {
  CreatePortfolioInput,
  Portfolio,
  PortfolioSummary,
  PortfolioVersion,
  PortfolioVersionSummary,
  UpdatePortfolioInput,
} from './portfolio.types.ts';
import { translateUniqueViolation } from './portfolios.errors.ts';
import {
  countPortfolios,
  countVersions,
  findPortfolio,
  findVersion,
  insertPortfolio,
  insertVersion,
  listPortfolioSummaries,
  listVersionSummaries,
  type PortfolioChanges,
  setPublished,
  softDeletePortfolio,
  updatePortfolioRow,
} from './portfolios.repository.ts';
import { slugify } from './slug.ts';
import { findSubdomainProblem } from './subdomain-rules.ts';

type Db = Kysely<Database>;

export interface PortfolioService {
  createPortfolio(ownerId: string, input: CreatePortfolioInput): Promise<Portfolio>;
  getPortfolio(ownerId: string, id: string): Promise<Portfolio>;
  listPortfolios(ownerId: string, page: PageRequest): Promise<Page<PortfolioSummary>>;
  updatePortfolio(ownerId: string, id: string, input: UpdatePortfolioInput): Promise<Portfolio>;
  deletePortfolio(ownerId: string, id: string): Promise<void>;
  setPublished(ownerId: string, id: string, published: boolean): Promise<Portfolio>;
  listVersions(
    ownerId: string,
    id: string,
    page: PageRequest,
  ): Promise<Page<PortfolioVersionSummary>>;
  getVersion(ownerId: string, id: string, version: number): Promise<PortfolioVersion>;
  restoreVersion(ownerId: string, id: string, version: number): Promise<Portfolio>;
}

// One message for "missing" and "not yours": the API never reveals another user's ids.
const portfolioNotFound = () => new NotFoundError('portfolio.not_found', 'No such portfolio.');

function assertValidSubdomain(
  subdomain: string | null | undefined,
  operatorReserved: ReadonlySet<string>,
): void {
  if (subdomain === undefined || subdomain === null) {
    return;
  }
  const problem = findSubdomainProblem(subdomain, operatorReserved);
  if (problem !== undefined) {
    throw new InvalidInputError('portfolio.subdomain_invalid', `The subdomain ${problem}.`, {
      fieldIssues: [{ path: 'subdomain', message: problem }],
    });
  }
}

async function assertUsableTemplate(db: Db, templateId: string): Promise<void> {
  const template = await findTemplate(db, templateId);
  if (template === undefined) {
    throw new InvalidInputError('template.not_found', 'No such template.', {
      fieldIssues: [{ path: 'templateId', message: 'no template with this id' }],
    });
  }
  if (!template.isActive) {
    throw new InvalidInputError('template.inactive', 'This template is retired.', {
      fieldIssues: [{ path: 'templateId', message: 'template is no longer offered' }],
    });
  }
}

async function snapshot(db: Db, portfolio: Portfolio, authorId: string): Promise<void> {
  await insertVersion(db, {
    portfolioId: portfolio.id,
    version: portfolio.version,
    title: portfolio.title,
    templateId: portfolio.templateId,
    content: portfolio.content,
    authorId,
  });
}

export function createPortfolioService(deps: {
  readonly db: Db;
  readonly cursorCodec: CursorCodec;
  /**
   * Clears the cached site mapping of a portfolio's hosts once a change to what they serve
   * has committed (publishing, unpublishing, a new subdomain, a delete).
   */
  readonly purgeHosts: PurgePortfolioHosts;
  /**
   * The outbox writer: a change of what a subdomain serves queues its DNS record's sync in
   * the change's transaction, so a freed name is always removed (R-SEC-2).
   */
  readonly enqueueInTransaction: EnqueueInTransaction;
  /** Subdomains the operator keeps (RESERVED_SUBDOMAINS), refused beside the built-in list. */
  readonly reservedSubdomains: ReadonlySet<string>;
}): PortfolioService {
  const { db, cursorCodec, purgeHosts, enqueueInTransaction, reservedSubdomains } = deps;
  const syncRecords = (trx: Transaction<Database>, id: string, subdomains: (string | null)[]) =>
    enqueueSubdomainRecordSync(trx, enqueueInTransaction, id, subdomains);

  async function requirePortfolio(ownerId: string, id: string): Promise<Portfolio> {
    const portfolio = await findPortfolio(db, ownerId, id);
    if (portfolio === undefined) {
      throw portfolioNotFound();
    }
    return portfolio;
  }

  /** Locks the row, applies the changes, and records the result as a new version. */
  async function changeWithVersion(
    ownerId: string,
    id: string,
    decide: (current: Portfolio, trx: Db) => Promise<PortfolioChanges> | PortfolioChanges,
  ): Promise<Portfolio> {
    return translateUniqueViolation(() =>
      withTransaction(db, async (trx) => {
        const current = await findPortfolio(trx, ownerId, id, { forUpdate: true });
        if (current === undefined) {
          throw portfolioNotFound();
        }
        const updated = await updatePortfolioRow(trx, id, await decide(current, trx));
        await snapshot(trx, updated, ownerId);
        if (updated.subdomain !== current.subdomain) {
          await syncRecords(trx, id, [current.subdomain, updated.subdomain]);
        }
        return updated;
      }),
    );
  }

  return {
    async createPortfolio(ownerId, input) {
      assertValidSubdomain(input.subdomain, reservedSubdomains);
      await assertUsableTemplate(db, input.templateId);
      const fields = {
        ownerId,
        templateId: input.templateId,
        title: input.title,
        subdomain: input.subdomain ?? null,
        visibility: input.visibility ?? 'private',
        content: input.content,
      };
      const insertWithSlug = (slug: string) =>
        translateUniqueViolation(() =>
          withTransaction(db, async (trx) => {
            const portfolio = await insertPortfolio(trx, { ...fields, slug });
            await snapshot(trx, portfolio, ownerId);
            return portfolio;
          }),
        );
      if (input.slug !== undefined) {
        return insertWithSlug(input.slug);
      }
      const derived = slugify(input.title);
      try {
        return await insertWithSlug(derived);
      } catch (err) {
        // A derived slug is ours to choose, so a clash gets a short suffix instead of a 409.
        if (err instanceof ConflictError && err.code === 'portfolio.slug_taken') {
          return insertWithSlug(`${derived.slice(0, 72)}-${randomBytes(3).toString('hex')}`);
        }
        throw err;
      }
    },

    getPortfolio: requirePortfolio,

    listPortfolios(ownerId, page) {
      return paginate<PortfolioSummary, NewestFirstKey>(page, cursorCodec, {
        keySchema: newestFirstKeySchema,
        keyOf: newestFirstKeyOf,
        fetch: (query) => listPortfolioSummaries(db, ownerId, query),
        count: () => countPortfolios(db, ownerId),
      });
    },

    async updatePortfolio(ownerId, id, input) {
      assertValidSubdomain(input.subdomain, reservedSubdomains);
      if (input.templateId !== undefined) {
        await assertUsableTemplate(db, input.templateId);
      }
      const { expectedVersion, ...changes } = input;
      let previousSubdomain: string | null = null;
      const updated = await changeWithVersion(ownerId, id, (current) => {
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw new ConflictError(
            'portfolio.version_conflict',
            `The portfolio is at version ${String(current.version)}, not ${String(expectedVersion)}.`,
          );
        }
        previousSubdomain = current.subdomain;
        return changes;
      });
      // The live site now answers at the new subdomain, and the old one serves nothing.
      if (updated.subdomain !== previousSubdomain) {
        await purgeHosts(id, [previousSubdomain, updated.subdomain]);
      }
      return updated;
    },

    async deletePortfolio(ownerId, id) {
      const portfolio = await requirePortfolio(ownerId, id);
      // Purged first: a repeated delete answers 404, so it could not retry a purge that
      // failed afterwards; the purge's hold keeps the old mapping out until the delete commits.
      await purgeHosts(id, [portfolio.subdomain]);
      await withTransaction(db, async (trx) => {
        const released = await softDeletePortfolio(trx, ownerId, id);
        if (released === undefined) {
          throw portfolioNotFound();
        }
        await syncRecords(trx, id, [released.subdomain]);
      });
      // Again after the commit, so every process's live host set re-reads the hosts as gone
      // (R-SEC-5); the first purge already holds the cache, so a failure here changes nothing
      // a repeat could fix, and the set's next refresh catches up on its own.
      await purgeHosts(id, [portfolio.subdomain]).catch(() => undefined);
    },

    async setPublished(ownerId, id, published) {
      const portfolio = await withTransaction(db, async (trx) => {
        const changed = await setPublished(trx, ownerId, id, published);
        if (changed === undefined) {
          throw portfolioNotFound();
        }
        await syncRecords(trx, id, [changed.subdomain]);
        return changed;
      });
      // A published portfolio's live deployment is served; an unpublished one's is not.
      await purgeHosts(id, [portfolio.subdomain]);
      return portfolio;
    },

    async listVersions(ownerId, id, page) {
      await requirePortfolio(ownerId, id);
      return paginate(page, cursorCodec, {
        keySchema: z.int().positive(),
        keyOf: (version) => version.version,
        fetch: (query) => listVersionSummaries(db, id, query),
        count: () => countVersions(db, id),
      });
    },

    async getVersion(ownerId, id, version) {
      await requirePortfolio(ownerId, id);
      const found = await findVersion(db, id, version);
      if (found === undefined) {
        throw new NotFoundError('portfolio.version_not_found', 'No such version.');
      }
      return found;
    },

    restoreVersion(ownerId, id, version) {
      // The snapshot is read through the transaction: a second pool connection taken while
      // this one holds the row lock deadlocks the pool under concurrent restores (R-SEC-1).
      return changeWithVersion(ownerId, id, async (_current, trx) => {
        const target = await findVersion(trx, id, version);
        if (target === undefined) {
          throw new NotFoundError('portfolio.version_not_found', 'No such version.');
        }
        return { title: target.title, templateId: target.templateId, content: target.content };
      });
    },
  };
}
