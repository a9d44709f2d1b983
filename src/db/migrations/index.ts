import type { Migration } from 'kysely';

import * as createCoreTables from './0001-create-core-tables.ts';
import * as createDnsRecords from './0002-create-dns-records.ts';
import * as createWebhooks from './0003-create-webhooks.ts';
import * as createOutbox from './0004-create-outbox.ts';
import * as createDeployments from './0005-create-deployments.ts';
import * as createExports from './0006-create-exports.ts';
import * as addDeploymentRunClaim from './0007-add-deployment-run-claim.ts';
import * as addCertificateLease from './0008-add-certificate-lease.ts';
import * as addDnsRecordOwner from './0009-add-dns-record-owner.ts';
import * as addWebhookRetrySchedule from './0010-add-webhook-retry-schedule.ts';

/**
 * Every migration, in order. Listed statically (not read from disk) so the build output and
 * `tsx` runs see the same set. Names never change once released.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-create-core-tables': createCoreTables,
  '0002-create-dns-records': createDnsRecords,
  '0003-create-webhooks': createWebhooks,
  '0004-create-outbox': createOutbox,
  '0005-create-deployments': createDeployments,
  '0006-create-exports': createExports,
  '0007-add-deployment-run-claim': addDeploymentRunClaim,
  '0008-add-certificate-lease': addCertificateLease,
  '0009-add-dns-record-owner': addDnsRecordOwner,
  '0010-add-webhook-retry-schedule': addWebhookRetrySchedule,
};
