import type { Config } from '../config/env.ts';
import {
  createDeploymentPageLink,
  type DeploymentPageLink,
} from '../features/deployments/deployment-links.ts';
import { createDeploymentFailureMailer } from '../features/deployments/deployment-notifications.ts';
import { createDeploymentRunner } from '../features/deployments/deployment-runner.ts';
import { createExportReadyMailer } from '../features/exports/export-notifications.ts';
import { createExportRenderer } from '../features/exports/export-renderer.ts';
import { createSubdomainRecordSync } from '../features/sites/subdomain-records.ts';
import { createWebhookAlertMailer } from '../features/webhooks/webhook-notifications.ts';
import type { JobHandlerDeps } from '../jobs/create-job-handlers.ts';
import { enqueueInTransaction } from '../jobs/outbox/enqueue-in-transaction.ts';
import type { Deps } from './create-deps.ts';

/**
 * What the job handlers work with, built from the shared dependencies. Only the `work` role
 * (and tests that run workers) needs it, so `serve` never builds the deployment runner.
 */
export function createJobHandlerDeps(deps: Deps): JobHandlerDeps {
  const { config, adapters } = deps;
  return {
    webhookDeliveries: deps.webhookDeliveries,
    webhookAlerts: createWebhookAlertMailer({
      db: deps.database.db,
      email: adapters.email,
      publicUrl: config.http.publicUrl,
      operatorUrl: config.integrations.webhooks.deploymentEndpoint?.url,
      operatorEmail: config.integrations.webhooks.operatorEmail,
    }),
    exports: {
      renderer: createExportRenderer({
        db: deps.database.db,
        storage: adapters.storage,
        enqueueInTransaction,
        webhooks: deps.webhookDeliveries,
        logger: deps.logger.child({ component: 'exports' }),
      }),
      readyMailer: createExportReadyMailer({
        db: deps.database.db,
        storage: adapters.storage,
        email: adapters.email,
      }),
    },
    deployments: {
      runner: createDeploymentRunner({
        db: deps.database.db,
        storage: adapters.storage,
        siteRecords: adapters.siteRecords,
        reservedSubdomains: config.sites.reservedSubdomains,
        certificates: adapters.certificates,
        purgeHosts: deps.purgeHosts,
        webhooks: deps.webhookDeliveries,
        enqueueInTransaction,
        siteAddress: deps.siteAddress,
        logger: deps.logger.child({ component: 'deployments' }),
      }),
      failureMailer: createDeploymentFailureMailer({
        db: deps.database.db,
        email: adapters.email,
        deploymentPage: createDeploymentPageLinkOf(config),
      }),
    },
    subdomainRecords: createSubdomainRecordSync({
      db: deps.database.db,
      siteRecords: adapters.siteRecords,
    }),
  };
}

/** Where deployment mails link to: the editor when configured, else the signed status page. */
export function createDeploymentPageLinkOf(config: Config): DeploymentPageLink {
  return createDeploymentPageLink({
    editorUrl: config.links.editorUrl,
    editorDeploymentPath: config.links.editorDeploymentPath,
    publicUrl: config.http.publicUrl,
    signingSecret: config.signing.secret,
    statusLinkTtlSeconds: config.links.statusLinkTtlSeconds,
  });
}
