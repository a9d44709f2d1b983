import {
  createDeploymentFailureMailer,
  type DeploymentFailureMailer,
} from '../../src/features/deployments/deployment-notifications.ts';
import {
  createDeploymentRunner,
  type DeploymentRunner,
} from '../../src/features/deployments/deployment-runner.ts';
import type { SiteRecords } from '../../src/integrations/dns/site-records.ts';
import type { CertificateIssuer } from '../../src/integrations/ssl/certificate-authority.ts';
import { createDeliverWebhookJob } from '../../src/jobs/handlers/deliver-webhook.job.ts';
import { createNotifyDeploymentFailureJob } from '../../src/jobs/handlers/notify-deployment-failure.job.ts';
import { createRunDeploymentJob } from '../../src/jobs/handlers/run-deployment.job.ts';
import { JOB_CATALOG, type JobCatalog } from '../../src/jobs/job-catalog.ts';
import type { JobHandlers } from '../../src/jobs/job-handler.ts';
import { enqueueInTransaction } from '../../src/jobs/outbox/enqueue-in-transaction.ts';
import type { Deps } from '../../src/wiring/create-deps.ts';
import { createDeploymentPageLinkOf } from '../../src/wiring/create-job-handler-deps.ts';

/** The jobs a deployment starts, and nothing else: these tests need no other handler. */
export const DEPLOYMENT_TEST_CATALOG = {
  'deployment.run': JOB_CATALOG['deployment.run'],
  'deployment.notify_failure': JOB_CATALOG['deployment.notify_failure'],
  'webhook.deliver': JOB_CATALOG['webhook.deliver'],
} as const satisfies JobCatalog;
export type DeploymentTestCatalog = typeof DEPLOYMENT_TEST_CATALOG;

export interface DeploymentWiring {
  readonly runner: DeploymentRunner;
  readonly failureMailer: DeploymentFailureMailer;
  readonly handlers: JobHandlers<DeploymentTestCatalog>;
  /** Every subdomain handed to the real DNS adapter, in order. */
  readonly dnsUpserts: readonly string[];
}

/**
 * The deployment runner and its jobs built from real dependencies, as the composition root
 * builds them. DNS upserts pass through to the real adapter and are counted on the way.
 */
export function wireDeployments(
  deps: Deps,
  options: {
    readonly uploadConcurrency?: number;
    /** Replaces the real certificate issuer (to hold or count issuances). */
    readonly certificates?: CertificateIssuer;
  } = {},
): DeploymentWiring {
  const dnsUpserts: string[] = [];
  const siteRecords: SiteRecords = {
    ...deps.adapters.siteRecords,
    upsertSubdomain(subdomain, portfolioId) {
      dnsUpserts.push(subdomain);
      return deps.adapters.siteRecords.upsertSubdomain(subdomain, portfolioId);
    },
  };
  const runner = createDeploymentRunner({
    db: deps.database.db,
    storage: deps.adapters.storage,
    siteRecords,
    reservedSubdomains: deps.config.sites.reservedSubdomains,
    certificates: options.certificates ?? deps.adapters.certificates,
    purgeHosts: deps.purgeHosts,
    webhooks: deps.webhookDeliveries,
    enqueueInTransaction,
    siteAddress: deps.siteAddress,
    logger: deps.logger.child({ component: 'deployments' }),
    ...(options.uploadConcurrency === undefined
      ? {}
      : { uploadConcurrency: options.uploadConcurrency }),
  });
  const failureMailer = createDeploymentFailureMailer({
    db: deps.database.db,
    email: deps.adapters.email,
    deploymentPage: createDeploymentPageLinkOf(deps.config),
  });
  return {
    runner,
    failureMailer,
    handlers: {
      'deployment.run': createRunDeploymentJob({ runner }),
      'deployment.notify_failure': createNotifyDeploymentFailureJob({ failureMailer }),
      'webhook.deliver': createDeliverWebhookJob({
        deliver: (run) => deps.webhookDeliveries.deliver(run),
      }),
    },
    dnsUpserts,
  };
}
