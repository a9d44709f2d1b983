import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { DeploymentStep } from '../../db/tables/deployments-tables.ts';
import type { CertificateIssuer } from '../../integrations/ssl/certificate-authority.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import type { SiteAddress } from '../sites/site-address.ts';
import type { SubdomainRecordDeps } from '../sites/subdomain-records.ts';
import {
  confirmRunOwnership,
  type DeploymentToRun,
  type RunClaim,
} from './deployment-runs.repository.ts';
import { type BuildRecord, recordProgress } from './deployment-step-records.repository.ts';
import {
  buildDeploymentSite,
  configureSiteHosts,
  manifestOf,
  STEP_PLANS,
} from './deployment-steps.ts';
import { validateDeployment } from './deployment-validation.ts';
import { DeploymentRejectedError } from './deployments.errors.ts';
import type { BuiltSite } from './site-builder.ts';
import {
  findStoredSiteObjects,
  listSiteObjects,
  selectObjectsToUpload,
  uploadSiteObjects,
} from './site-upload.ts';

export interface StepDeps {
  readonly db: Kysely<Database>;
  readonly storage: Pick<Storage, 'putObject' | 'listObjects'>;
  readonly siteRecords: SubdomainRecordDeps['siteRecords'];
  /** The operator's RESERVED_SUBDOMAINS: a deployment to one fails `subdomain_invalid`. */
  readonly reservedSubdomains: ReadonlySet<string>;
  readonly certificates: CertificateIssuer;
  readonly siteAddress: SiteAddress;
  readonly now: () => Date;
  readonly uploadConcurrency: number;
}

/** One run's state, passed from step to step. Only this process's memory, never relied on. */
export interface StepRun {
  readonly deps: StepDeps;
  /** As loaded when the run began: `currentStep` tells whether a step is being resumed. */
  readonly deployment: DeploymentToRun;
  /** What every write of the run must still hold: a newer run's claim stops this one. */
  readonly claim: RunClaim;
  readonly signal: AbortSignal;
  /** Built in this run, or undefined when BUILDING finished in an earlier one. */
  site: BuiltSite | undefined;
  /** What BUILDING recorded; uploads must match it. */
  contentHash: string | null;
  readonly reportProgress: (percent: number) => Promise<void>;
}

/** What a finished step writes: its step row's result, a log summary, and the build. */
export interface StepOutcome {
  readonly result: unknown;
  readonly summary: string;
  readonly build?: BuildRecord;
}

async function validate(run: StepRun): Promise<StepOutcome> {
  const result = await validateDeployment(run.deps.db, run.deployment, run.deps.reservedSubdomains);
  const domain = result.domain === null ? '' : `, custom domain ${result.domain}`;
  return {
    result,
    summary: `subdomain ${result.subdomain}${domain}, template ${result.template}`,
  };
}

async function build(run: StepRun): Promise<StepOutcome> {
  const site = await buildDeploymentSite(run.deps.db, run.deployment, run.deps.siteAddress);
  run.site = site;
  run.contentHash = site.contentHash;
  return {
    result: { contentHash: site.contentHash, files: site.files.length, bytes: site.totalBytes },
    summary: `${String(site.files.length)} files, ${String(site.totalBytes)} bytes, content hash ${site.contentHash.slice(0, 12)}`,
    build: { contentHash: site.contentHash, manifest: manifestOf(site) },
  };
}

/**
 * UPLOADING: every file in each encoding. A resumed upload rebuilds the site in memory (the
 * build is pure), checks it is the one BUILDING recorded, and skips what is already stored.
 */
async function upload(run: StepRun): Promise<StepOutcome> {
  const { deps, deployment } = run;
  const site = run.site ?? (await buildDeploymentSite(deps.db, deployment, deps.siteAddress));
  if (site.contentHash !== run.contentHash) {
    throw new DeploymentRejectedError(
      'deployment.build_mismatch',
      'The site rebuilt for the upload differs from the one built earlier; deploy again',
    );
  }
  const objects = listSiteObjects(deployment.portfolioId, deployment.id, site);
  // Only an interrupted upload can have left objects behind.
  const stored =
    deployment.currentStep === 'UPLOADING'
      ? await findStoredSiteObjects(deps.storage, deployment.portfolioId, deployment.id)
      : new Map<string, number>();
  const missing = selectObjectsToUpload(objects, stored);
  const alreadyStored = objects.length - missing.length;

  const { startProgress, endProgress } = STEP_PLANS.UPLOADING;
  let lastProgress = startProgress;
  await uploadSiteObjects(deps.storage, {
    objects: missing,
    concurrency: deps.uploadConcurrency,
    signal: run.signal,
    // A run that lost its queue lock must not keep uploading beside the run that replaced it.
    beforeBatch: () => confirmRunOwnership(deps.db, run.claim),
    onStored: async (count) => {
      const done = (alreadyStored + count) / objects.length;
      const progress = Math.floor(startProgress + done * (endProgress - startProgress));
      if (progress > lastProgress && progress < endProgress) {
        lastProgress = progress;
        await recordProgress(deps.db, run.claim, progress);
        await run.reportProgress(progress);
      }
    },
  });
  return {
    result: { objects: objects.length, uploaded: missing.length, alreadyStored },
    summary: `${String(objects.length)} objects (${String(missing.length)} uploaded, ${String(alreadyStored)} already stored)`,
  };
}

async function configure(run: StepRun): Promise<StepOutcome> {
  const result = await configureSiteHosts(run.deps, run.deployment, run.claim, run.signal);
  const certificate =
    result.certificate === 'none' ? '' : `, custom domain certificate ${result.certificate}`;
  return { result, summary: `DNS record ${result.dnsRecord}${certificate}` };
}

/** The work of one step; ACTIVATING is the runner's own (a single transaction). */
export function runStep(
  step: Exclude<DeploymentStep, 'ACTIVATING'>,
  run: StepRun,
): Promise<StepOutcome> {
  switch (step) {
    case 'VALIDATING':
      return validate(run);
    case 'BUILDING':
      return build(run);
    case 'UPLOADING':
      return upload(run);
    case 'CONFIGURING':
      return configure(run);
  }
}
