import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type {
  DeploymentStatus,
  DeploymentStep,
  SiteManifest,
} from '../../db/tables/deployments-tables.ts';
import { InvalidInputError } from '../../errors/app-error.ts';
import { DnsRecordConflictError } from '../../integrations/dns/dns-record-conflict.ts';
import { type SiteAddress, siteUrlForHost, subdomainHost } from '../sites/site-address.ts';
import { claimSubdomainRecord, type SubdomainRecordDeps } from '../sites/subdomain-records.ts';
import type { DeploymentToRun, RunClaim } from './deployment-runs.repository.ts';
import { checkSubdomain, loadBuildSource } from './deployment-validation.ts';
import { DeploymentRejectedError } from './deployments.errors.ts';
import { type DomainCertificateDeps, ensureDomainCertificate } from './domain-certificate.ts';
import { buildSite, type BuiltSite } from './site-builder.ts';

type Db = Kysely<Database>;

/** Where a step stands in the status column and the progress bar while it runs and after. */
export interface StepPlan {
  readonly status: DeploymentStatus;
  readonly startProgress: number;
  readonly endProgress: number;
}

/**
 * The order of a run. ACTIVATING has no status of its own: it is one transaction that ends
 * in DEPLOYED, so the status says CONFIGURING until then.
 */
export const STEP_PLANS: Readonly<Record<DeploymentStep, StepPlan>> = {
  VALIDATING: { status: 'VALIDATING', startProgress: 5, endProgress: 15 },
  BUILDING: { status: 'BUILDING', startProgress: 15, endProgress: 35 },
  UPLOADING: { status: 'UPLOADING', startProgress: 35, endProgress: 75 },
  CONFIGURING: { status: 'CONFIGURING', startProgress: 75, endProgress: 90 },
  ACTIVATING: { status: 'CONFIGURING', startProgress: 90, endProgress: 100 },
};

/** The hosts a deployment is served at: its subdomain and, when it has one, its custom domain. */
export function siteHostsOf(deployment: DeploymentToRun, address: SiteAddress): string[] {
  const hosts = deployment.subdomain === null ? [] : [subdomainHost(address, deployment.subdomain)];
  return deployment.domain === null ? hosts : [...hosts, deployment.domain.toLowerCase()];
}

/** The URL recorded when the deployment was requested, or the one its hosts give. */
export function siteUrlOf(deployment: DeploymentToRun, address: SiteAddress): string {
  if (deployment.siteUrl !== null) {
    return deployment.siteUrl;
  }
  const [subdomain, custom] = siteHostsOf(deployment, address);
  const host = custom ?? subdomain;
  if (host === undefined) {
    throw new DeploymentRejectedError(
      'deployment.subdomain_missing',
      'The deployment has neither a subdomain nor a custom domain',
    );
  }
  return siteUrlForHost(address, host);
}

/**
 * Renders the deployment's snapshot. Pure for a given deployment (the build time is when it
 * was queued), so a resumed upload can rebuild the same bytes instead of storing them.
 */
export async function buildDeploymentSite(
  db: Db,
  deployment: DeploymentToRun,
  address: SiteAddress,
): Promise<BuiltSite> {
  const source = await loadBuildSource(db, deployment);
  try {
    return await buildSite({
      portfolio: {
        id: deployment.portfolioId,
        title: source.title,
        slug: source.slug,
        content: source.content,
      },
      template: source.template,
      siteUrl: siteUrlOf(deployment, address),
      generatedAt: deployment.queuedAt,
    });
  } catch (err) {
    // The builder refuses a broken template or an oversized site; rebuilding cannot help.
    if (err instanceof InvalidInputError) {
      throw new DeploymentRejectedError('deployment.build_failed', err.message, { cause: err });
    }
    throw err;
  }
}

/** The served-file index kept on the deployment (what site serving reads). */
export function manifestOf(site: BuiltSite): SiteManifest {
  return {
    files: Object.fromEntries(
      site.files.map((file) => [
        file.path,
        {
          contentType: file.contentType,
          cacheControl: file.cacheControl,
          sha256: file.sha256,
          size: file.body.length,
          gzipSize: file.gzip.length,
          brotliSize: file.brotli.length,
        },
      ]),
    ),
  };
}

export interface ConfigureDeps extends DomainCertificateDeps {
  readonly siteRecords: SubdomainRecordDeps['siteRecords'];
  /** RESERVED_SUBDOMAINS: checked again, as a name may be reserved since VALIDATING. */
  readonly reservedSubdomains: ReadonlySet<string>;
}

/** What CONFIGURING records in its step row. */
export interface ConfigureResult {
  readonly dnsRecord: string;
  readonly certificate: 'none' | 'current' | 'issued';
}

/**
 * CONFIGURING (R-JOB-2): a certificate for a verified custom domain when it has none or its
 * renewal is due, then the subdomain's DNS record. The certificate goes first because its
 * issuance is recorded on the domain (a retry sees it and skips it), while the DNS upsert is
 * the last side effect before the step row, and idempotent should that write be lost. A record
 * we did not create at the name fails the deployment for good (R-SEC-2): it is never changed.
 */
export async function configureSiteHosts(
  deps: ConfigureDeps,
  deployment: DeploymentToRun,
  claim: RunClaim,
  signal: AbortSignal,
): Promise<ConfigureResult> {
  const subdomain = checkSubdomain(deployment.subdomain, deps.reservedSubdomains);
  const certificate =
    deployment.domain === null
      ? 'none'
      : await ensureDomainCertificate(deps, deployment, claim, deployment.domain, signal);
  try {
    const record = await claimSubdomainRecord(deps, subdomain, deployment.portfolioId);
    return { dnsRecord: record.name, certificate };
  } catch (err) {
    if (err instanceof DnsRecordConflictError) {
      throw new DeploymentRejectedError('dns.record_conflict', err.message, { cause: err });
    }
    throw err;
  }
}
