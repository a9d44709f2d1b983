import { randomBytes } from 'node:crypto';

import { manifestOf } from '../../src/features/deployments/deployment-steps.ts';
import { buildSite, type BuiltSite } from '../../src/features/deployments/site-builder.ts';
import { portfolioContentSchema } from '../../src/features/portfolios/portfolio-content.ts';
import {
  type SiteAddress,
  siteUrlForHost,
  subdomainHost,
} from '../../src/features/sites/site-address.ts';
import {
  SITE_BUCKET,
  type SiteEncoding,
  siteObjectKey,
} from '../../src/features/sites/site-storage-layout.ts';
import type { PortfolioBody } from './api-bodies.ts';
import { portfolioInput, seededTemplateId } from './factories.ts';
import type { TestContext, TestUser } from './test-context.ts';

export interface DeployedSite {
  readonly portfolioId: string;
  readonly deploymentId: string;
  readonly subdomain: string;
  /** `{subdomain}.{BASE_DOMAIN}`: what a visitor sends as Host. */
  readonly host: string;
  readonly site: BuiltSite;
}

export function siteAddressOf(ctx: TestContext): SiteAddress {
  return ctx.deps.siteAddress;
}

export function uniqueSubdomain(): string {
  return `site-${randomBytes(4).toString('hex')}`;
}

/**
 * What the deployment pipeline leaves behind, done by hand so site serving is tested on its
 * own: a portfolio created through the API, its site built with the real builder, every file
 * uploaded in its three encodings, a DEPLOYED deployment row with the manifest, and the
 * portfolio's live pointer set in SQL; then, as the pipeline's purge does after going live,
 * the live host sets told (R-SEC-5). The host is new, so no cached mapping needs purging.
 */
export async function deploySiteDirectly(
  ctx: TestContext,
  owner: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<DeployedSite> {
  const subdomain = uniqueSubdomain();
  const templateId = await seededTemplateId(ctx, owner);
  const created = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
    token: owner.token,
    body: portfolioInput(templateId, { subdomain, ...overrides }),
  });
  if (created.status !== 201) {
    throw new Error(`creating the portfolio failed: ${JSON.stringify(created.body)}`);
  }
  const portfolio = created.body;
  const { db } = ctx.deps.database;
  const template = await db
    .selectFrom('templates')
    .select(['slug', 'source', 'css'])
    .where('id', '=', portfolio.templateId)
    .executeTakeFirstOrThrow();

  const address = siteAddressOf(ctx);
  const host = subdomainHost(address, subdomain);
  const site = await buildSite({
    portfolio: {
      id: portfolio.id,
      title: portfolio.title,
      slug: portfolio.slug,
      content: portfolioContentSchema.parse(portfolio.content),
    },
    template,
    siteUrl: siteUrlForHost(address, host),
    generatedAt: new Date('2025-01-01T00:00:00Z'),
  });

  const deployment = await db
    .insertInto('deployments')
    .values({
      portfolio_id: portfolio.id,
      requested_by: owner.id,
      portfolio_version: portfolio.version,
      status: 'DEPLOYED',
      subdomain,
      site_url: siteUrlForHost(address, host),
      content_hash: site.contentHash,
      site_manifest: JSON.stringify(manifestOf(site)),
      finished_at: new Date(),
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();

  await uploadSite(ctx, portfolio.id, deployment.id, site);
  await db
    .updateTable('portfolios')
    .set({ live_deployment_id: deployment.id, is_published: true })
    .where('id', '=', portfolio.id)
    .execute();
  await ctx.deps.liveHosts.hostsChanged([host]);
  return { portfolioId: portfolio.id, deploymentId: deployment.id, subdomain, host, site };
}

async function uploadSite(
  ctx: TestContext,
  portfolioId: string,
  deploymentId: string,
  site: BuiltSite,
): Promise<void> {
  const { storage } = ctx.deps.adapters;
  await storage.ensureBuckets();
  for (const file of site.files) {
    const variants: readonly (readonly [SiteEncoding, Buffer])[] = [
      ['identity', file.body],
      ['gzip', file.gzip],
      ['br', file.brotli],
    ];
    for (const [encoding, body] of variants) {
      await storage.putObject({
        bucket: SITE_BUCKET,
        key: siteObjectKey(portfolioId, deploymentId, file.path, encoding),
        body,
        contentType: file.contentType,
        cacheControl: file.cacheControl,
        ...(encoding === 'identity' ? {} : { contentEncoding: encoding }),
      });
    }
  }
}
