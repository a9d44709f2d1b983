import { randomBytes } from 'node:crypto';

import { sql } from 'kysely';
import { expect } from 'vitest';

import type { PortfolioBody } from './api-bodies.ts';
import { portfolioInput } from './factories.ts';
import type { TestContext, TestUser } from './test-context.ts';

// What the deployments API tests share: the answer's shape, and the rows they set up or count.

export interface DeploymentBody {
  readonly id: string;
  readonly portfolioId: string;
  readonly portfolioVersion: number;
  readonly status: string;
  readonly currentStep: string | null;
  readonly progress: number;
  readonly attempt: number;
  readonly subdomain: string | null;
  readonly domain: string | null;
  readonly siteUrl: string | null;
  readonly contentHash: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly isLive: boolean;
  readonly logs?: readonly {
    readonly step: string | null;
    readonly level: string;
    readonly message: string;
    readonly time: string;
  }[];
}

/** Explicit, so the expected site URLs do not depend on the machine's environment. */
export const SITE_ENV = { APP_URL: 'http://localhost:3000', BASE_DOMAIN: 'localhost' };

export const uniqueSubdomain = () => `dep-${randomBytes(4).toString('hex')}`;

export async function createPortfolio(
  target: TestContext,
  user: TestUser,
  templateId: string,
  subdomain: string | null = uniqueSubdomain(),
): Promise<PortfolioBody> {
  const response = await target.request<PortfolioBody>('POST', '/api/portfolios', {
    token: user.token,
    body: portfolioInput(templateId, subdomain === null ? {} : { subdomain }),
  });
  expect(response.status).toBe(201);
  return response.body;
}

export function requestDeployment(target: TestContext, user: TestUser, portfolioId: string) {
  return target.request<DeploymentBody>('POST', `/api/portfolios/${portfolioId}/deployments`, {
    token: user.token,
  });
}

/** The portfolio's deployments and the outbox rows of their jobs. */
export async function countRows(target: TestContext, portfolioId: string) {
  const { db } = target.deps.database;
  const deployments = await db
    .selectFrom('deployments')
    .select('id')
    .where('portfolio_id', '=', portfolioId)
    .execute();
  const outbox =
    deployments.length === 0
      ? []
      : await db
          .selectFrom('job_outbox')
          .select(['job_name', 'job_id', 'payload'])
          .where(
            'job_id',
            'in',
            deployments.map((row) => row.id),
          )
          .execute();
  return { deployments, outbox };
}

/** A finished deployment written directly, as a worker would leave it. */
export async function insertFinished(
  target: TestContext,
  input: {
    readonly portfolioId: string;
    readonly requestedBy: string;
    readonly status: 'DEPLOYED' | 'FAILED';
    readonly queuedAt: string;
    readonly subdomain: string;
  },
): Promise<string> {
  const { status, subdomain } = input;
  const row = await target.deps.database.db
    .insertInto('deployments')
    .values({
      portfolio_id: input.portfolioId,
      requested_by: input.requestedBy,
      portfolio_version: 1,
      status,
      progress: 100,
      attempt: 1,
      subdomain,
      site_url: `http://${subdomain}.localhost:3000/`,
      site_manifest: status === 'DEPLOYED' ? JSON.stringify({ files: {} }) : sql<string>`NULL`,
      error_code: status === 'FAILED' ? 'storage.unavailable' : null,
      error_message: status === 'FAILED' ? 'storage kept failing' : null,
      queued_at: input.queuedAt,
      finished_at: input.queuedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
