import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import {
  type PortfolioContent,
  storedPortfolioContentSchema,
} from '../portfolios/portfolio-content.ts';
import { findSubdomainProblem } from '../portfolios/subdomain-rules.ts';
import type { DeploymentToRun } from './deployment-runs.repository.ts';
import {
  type BuildTemplate,
  findBuildTemplate,
  findDeploymentPortfolio,
  findPortfolioDomain,
  findVersionSnapshot,
  isSubdomainHeldByAnother,
} from './deployment-sources.repository.ts';
import { DeploymentRejectedError } from './deployments.errors.ts';

type Db = Kysely<Database>;

/** Everything the build renders, read from the deployment's version snapshot. */
export interface BuildSource {
  readonly title: string;
  readonly slug: string;
  readonly content: PortfolioContent;
  readonly template: BuildTemplate;
}

const MAX_LISTED_ISSUES = 3;

/** The snapshot's content, parsed; DeploymentRejectedError listing the first problems if not. */
export function parseSnapshotContent(content: unknown): PortfolioContent {
  const parsed = storedPortfolioContentSchema.safeParse(content);
  if (parsed.success) {
    return parsed.data;
  }
  const issues = parsed.error.issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue) => `${issue.path.map(String).join('.') || 'content'}: ${issue.message}`);
  const more = parsed.error.issues.length - issues.length;
  throw new DeploymentRejectedError(
    'deployment.content_invalid',
    `The portfolio content is invalid: ${issues.join('; ')}${more > 0 ? ` (and ${String(more)} more)` : ''}`,
  );
}

/**
 * The deployment's subdomain when the naming rules accept it. A name the operator reserved
 * after a portfolio took it fails here: the live site keeps serving, new deployments do not.
 */
export function checkSubdomain(
  subdomain: string | null,
  operatorReserved?: ReadonlySet<string>,
): string {
  if (subdomain === null) {
    throw new DeploymentRejectedError(
      'deployment.subdomain_missing',
      'The portfolio has no subdomain to deploy to',
    );
  }
  const problem = findSubdomainProblem(subdomain, operatorReserved);
  if (problem !== undefined) {
    throw new DeploymentRejectedError(
      'deployment.subdomain_invalid',
      `The subdomain "${subdomain}" ${problem}`,
    );
  }
  return subdomain;
}

/**
 * Reads the snapshot and its template. Retired templates still build (validation decides
 * whether a new deployment may use one); a missing snapshot or template cannot.
 */
export async function loadBuildSource(db: Db, deployment: DeploymentToRun): Promise<BuildSource> {
  const [portfolio, snapshot] = await Promise.all([
    findDeploymentPortfolio(db, deployment.portfolioId),
    findVersionSnapshot(db, deployment.portfolioId, deployment.portfolioVersion),
  ]);
  if (portfolio === undefined) {
    throw new DeploymentRejectedError('deployment.portfolio_missing', 'The portfolio is gone');
  }
  if (snapshot === undefined) {
    throw new DeploymentRejectedError(
      'deployment.version_missing',
      `Version ${String(deployment.portfolioVersion)} of the portfolio does not exist`,
    );
  }
  const content = parseSnapshotContent(snapshot.content);
  const template = await findBuildTemplate(db, snapshot.templateId);
  if (template === undefined) {
    throw new DeploymentRejectedError(
      'deployment.template_missing',
      "The portfolio's template no longer exists",
    );
  }
  return { title: snapshot.title, slug: portfolio.slug, content, template };
}

/** What VALIDATING records in its step row. */
export interface ValidationResult {
  readonly subdomain: string;
  readonly domain: string | null;
  readonly template: string;
}

/**
 * VALIDATING (R-JOB-2): the requester owns the portfolio, the snapshot parses, the template
 * is active, the subdomain is acceptable and free, and a custom domain is still verified.
 * Every failure is a DeploymentRejectedError: no retry would change the answer.
 */
export async function validateDeployment(
  db: Db,
  deployment: DeploymentToRun,
  operatorReserved: ReadonlySet<string>,
): Promise<ValidationResult> {
  const portfolio = await findDeploymentPortfolio(db, deployment.portfolioId);
  if (portfolio === undefined || portfolio.deleted) {
    throw new DeploymentRejectedError(
      'deployment.portfolio_missing',
      'The portfolio was deleted or does not exist',
    );
  }
  if (portfolio.ownerId !== deployment.requestedBy) {
    throw new DeploymentRejectedError(
      'deployment.not_owner',
      'The portfolio does not belong to the user who requested the deployment',
    );
  }
  const source = await loadBuildSource(db, deployment);
  if (!source.template.isActive) {
    throw new DeploymentRejectedError(
      'deployment.template_inactive',
      `The template "${source.template.slug}" is retired; choose another one`,
    );
  }
  const subdomain = checkSubdomain(deployment.subdomain, operatorReserved);
  if (await isSubdomainHeldByAnother(db, subdomain, deployment.portfolioId)) {
    throw new DeploymentRejectedError(
      'deployment.subdomain_taken',
      `The subdomain "${subdomain}" is taken by another portfolio`,
    );
  }
  if (deployment.domain !== null) {
    await requireVerifiedDomain(db, deployment.portfolioId, deployment.domain);
  }
  return { subdomain, domain: deployment.domain, template: source.template.slug };
}

/**
 * The custom domain, which must still belong to the portfolio and be verified. With
 * `forUpdate`, its row stays locked until the caller's transaction ends.
 */
export async function requireVerifiedDomain(
  db: Db,
  portfolioId: string,
  domain: string,
  options: { readonly forUpdate?: boolean } = {},
) {
  const found = await findPortfolioDomain(db, portfolioId, domain, options);
  if (found?.verified !== true) {
    throw new DeploymentRejectedError(
      'deployment.domain_unverified',
      `The custom domain "${domain}" is not a verified domain of this portfolio`,
    );
  }
  return found;
}
