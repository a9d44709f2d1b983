import { randomBytes, randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database } from '../../src/db/database-types.ts';
import {
  type SiteAddress,
  siteUrlForHost,
  subdomainHost,
} from '../../src/features/sites/site-address.ts';
import { enqueueInTransaction } from '../../src/jobs/outbox/enqueue-in-transaction.ts';

export interface DeploymentFixture {
  readonly userId: string;
  readonly userEmail: string;
  readonly portfolioId: string;
  readonly deploymentId: string;
  /** The subdomain the deployment was queued for (copied from the portfolio, unless told). */
  readonly subdomain: string;
  readonly siteUrl: string;
}

export interface DeploymentFixtureOptions {
  /** Stored in the version snapshot as is, so invalid content can be tested. */
  readonly content?: unknown;
  readonly title?: string;
  /** The portfolio's subdomain. @defaultValue a fresh `site-xxxxxxxx` */
  readonly subdomain?: string;
  /** The deployment's subdomain when it differs from the portfolio's (renamed since). */
  readonly deploymentSubdomain?: string;
  /** A custom domain of the portfolio, served by the deployment when verified. */
  readonly customDomain?: { readonly name: string; readonly verified: boolean };
  /** Also write the `deployment.run` outbox row, in the same transaction as the API does. */
  readonly enqueue?: boolean;
}

export const SAMPLE_CONTENT = {
  profile: { name: 'Jane <Doe>', headline: 'Engineer & builder' },
  links: [{ label: 'Site', url: 'https://example.com' }],
  sections: [
    { kind: 'about', title: 'About', body: 'Hello <script>alert(1)</script>' },
    { kind: 'projects', title: 'Projects', items: [{ title: 'Portfolio builder' }] },
  ],
};

async function activeTemplateId(db: Kysely<Database>): Promise<string> {
  const row = await db
    .selectFrom('templates')
    .select('id')
    .where('is_active', '=', true)
    .orderBy('slug')
    .limit(1)
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A user, a portfolio with its version-1 snapshot, and a QUEUED deployment of it, written the
 * way the deployments API writes them (optionally with the outbox row of its job).
 */
export async function createDeploymentFixture(
  db: Kysely<Database>,
  address: SiteAddress,
  options: DeploymentFixtureOptions = {},
): Promise<DeploymentFixture> {
  const suffix = randomBytes(4).toString('hex');
  const userId = randomUUID();
  const userEmail = `owner-${suffix}@example.com`;
  const subdomain = options.subdomain ?? `site-${suffix}`;
  const deploymentSubdomain = options.deploymentSubdomain ?? subdomain;
  const title = options.title ?? `Portfolio ${suffix}`;
  const content = JSON.stringify(options.content ?? SAMPLE_CONTENT);
  const templateId = await activeTemplateId(db);
  const domain = options.customDomain;
  const host =
    domain?.verified === true ? domain.name : subdomainHost(address, deploymentSubdomain);
  const siteUrl = siteUrlForHost(address, host);

  const { deploymentId, portfolioId } = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({ id: userId, email: userEmail, name: `Owner ${suffix}` })
      .execute();
    const portfolio = await trx
      .insertInto('portfolios')
      .values({
        owner_id: userId,
        template_id: templateId,
        title,
        slug: `portfolio-${suffix}`,
        subdomain,
        content,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('portfolio_versions')
      .values({
        portfolio_id: portfolio.id,
        version: 1,
        title,
        template_id: templateId,
        content,
        author_id: userId,
      })
      .execute();
    if (domain !== undefined) {
      await trx
        .insertInto('custom_domains')
        .values({
          portfolio_id: portfolio.id,
          owner_id: userId,
          domain: domain.name,
          verification_token: randomBytes(24).toString('hex'),
          verified_at: domain.verified ? new Date() : null,
        })
        .execute();
    }
    const deployment = await trx
      .insertInto('deployments')
      .values({
        portfolio_id: portfolio.id,
        requested_by: userId,
        portfolio_version: 1,
        subdomain: deploymentSubdomain,
        domain: domain?.verified === true ? domain.name : null,
        site_url: siteUrl,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (options.enqueue === true) {
      await enqueueInTransaction(trx, {
        jobName: 'deployment.run',
        jobId: deployment.id,
        payload: { deploymentId: deployment.id },
      });
    }
    return { deploymentId: deployment.id, portfolioId: portfolio.id };
  });

  return {
    userId,
    userEmail,
    portfolioId,
    deploymentId,
    subdomain: deploymentSubdomain,
    siteUrl,
  };
}

/** A portfolio of another user holding `subdomain` (to make a deployment's subdomain taken). */
export async function createPortfolioHolding(
  db: Kysely<Database>,
  subdomain: string,
): Promise<string> {
  const userId = randomUUID();
  await db.insertInto('users').values({ id: userId, email: null, name: null }).execute();
  const row = await db
    .insertInto('portfolios')
    .values({
      owner_id: userId,
      template_id: await activeTemplateId(db),
      title: 'Squatter',
      slug: 'squatter',
      subdomain,
      content: JSON.stringify(SAMPLE_CONTENT),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface DeploymentState {
  readonly status: string;
  readonly currentStep: string | null;
  readonly attempt: number;
  readonly progress: number;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

export async function readDeployment(
  db: Kysely<Database>,
  deploymentId: string,
): Promise<DeploymentState> {
  const row = await db
    .selectFrom('deployments')
    .select(['status', 'current_step', 'attempt', 'progress', 'error_code', 'error_message'])
    .where('id', '=', deploymentId)
    .executeTakeFirstOrThrow();
  return {
    status: row.status,
    currentStep: row.current_step,
    attempt: row.attempt,
    progress: row.progress,
    errorCode: row.error_code,
    errorMessage: row.error_message,
  };
}

export interface LogRow {
  readonly step: string | null;
  readonly level: string;
  readonly message: string;
  readonly createdAt: Date;
}

/** The deployment's log, oldest first. */
export async function readDeploymentLog(
  db: Kysely<Database>,
  deploymentId: string,
): Promise<LogRow[]> {
  const rows = await db
    .selectFrom('deployment_logs')
    .select(['step', 'level', 'message', 'created_at'])
    .where('deployment_id', '=', deploymentId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    step: row.step,
    level: row.level,
    message: row.message,
    createdAt: row.created_at,
  }));
}

/** Writes the `deployment.run` outbox row of an existing deployment (the relay queues it). */
export async function enqueueDeployment(db: Kysely<Database>, deploymentId: string) {
  await db.transaction().execute((trx) =>
    enqueueInTransaction(trx, {
      jobName: 'deployment.run',
      jobId: deploymentId,
      payload: { deploymentId },
    }),
  );
}
