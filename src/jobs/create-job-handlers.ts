import type { DeploymentFailureMailer } from '../features/deployments/deployment-notifications.ts';
import type { DeploymentRunner } from '../features/deployments/deployment-runner.ts';
import type { ExportReadyMailer } from '../features/exports/export-notifications.ts';
import type { ExportRenderer } from '../features/exports/export-renderer.ts';
import type { SubdomainRecordSync } from '../features/sites/subdomain-records.ts';
import type { WebhookDeliveryService } from '../features/webhooks/webhook-delivery.service.ts';
import type { WebhookAlertMailer } from '../features/webhooks/webhook-notifications.ts';
import { createDeliverWebhookJob } from './handlers/deliver-webhook.job.ts';
import { createNotifyDeploymentFailureJob } from './handlers/notify-deployment-failure.job.ts';
import { createNotifyExportReadyJob } from './handlers/notify-export-ready.job.ts';
import { createNotifyWebhookDisabledJob } from './handlers/notify-webhook-disabled.job.ts';
import { createNotifyWebhookOperatorJob } from './handlers/notify-webhook-operator.job.ts';
import { createRenderExportJob } from './handlers/render-export.job.ts';
import { createRunDeploymentJob } from './handlers/run-deployment.job.ts';
import { createSyncSubdomainRecordJob } from './handlers/sync-subdomain-record.job.ts';
import type { JobHandlers } from './job-handler.ts';

export interface JobHandlerDeps {
  readonly webhookDeliveries: Pick<WebhookDeliveryService, 'deliver'>;
  /** Mails owners of disabled endpoints and the operator (`createWebhookAlertMailer`). */
  readonly webhookAlerts: WebhookAlertMailer;
  /**
   * Renders and stores PDF exports (`createExportRenderer`) and mails their links
   * (`createExportReadyMailer`).
   */
  readonly exports: {
    readonly renderer: Pick<ExportRenderer, 'renderExport' | 'recordFailure'>;
    readonly readyMailer: Pick<ExportReadyMailer, 'mailReady'>;
  };
  /**
   * Runs deployments (`createDeploymentRunner`) and mails their final failures
   * (`createDeploymentFailureMailer`).
   */
  readonly deployments: {
    readonly runner: Pick<DeploymentRunner, 'run'>;
    readonly failureMailer: Pick<DeploymentFailureMailer, 'mailFailure'>;
  };
  /** Keeps portfolio subdomain records in line with portfolios (`createSubdomainRecordSync`). */
  readonly subdomainRecords: Pick<SubdomainRecordSync, 'sync'>;
}

/** The handler of every job in JOB_CATALOG; the type refuses a catalog job left out. */
export function createJobHandlers(deps: JobHandlerDeps): JobHandlers {
  return {
    'deployment.run': createRunDeploymentJob({ runner: deps.deployments.runner }),
    'deployment.notify_failure': createNotifyDeploymentFailureJob({
      failureMailer: deps.deployments.failureMailer,
    }),
    'export.render': createRenderExportJob(deps.exports.renderer),
    'export.notify_ready': createNotifyExportReadyJob({ readyMailer: deps.exports.readyMailer }),
    'dns.sync_subdomain': createSyncSubdomainRecordJob({ records: deps.subdomainRecords }),
    'webhook.deliver': createDeliverWebhookJob({
      deliver: (run) => deps.webhookDeliveries.deliver(run),
    }),
    'webhook.notify_disabled': createNotifyWebhookDisabledJob({ alertMailer: deps.webhookAlerts }),
    'webhook.notify_operator': createNotifyWebhookOperatorJob({ alertMailer: deps.webhookAlerts }),
  };
}
