import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** jsonb written as a JSON string, read parsed. */
type JsonColumn<T> = ColumnType<T, string, string>;

export const DEPLOYMENT_STATUSES = [
  'QUEUED',
  'VALIDATING',
  'BUILDING',
  'UPLOADING',
  'CONFIGURING',
  'DEPLOYED',
  'FAILED',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/**
 * The steps a run records as finished. ACTIVATING is the switch of the live pointer, which
 * ends with status DEPLOYED.
 */
export const DEPLOYMENT_STEPS = [
  'VALIDATING',
  'BUILDING',
  'UPLOADING',
  'CONFIGURING',
  'ACTIVATING',
] as const;
export type DeploymentStep = (typeof DEPLOYMENT_STEPS)[number];

export const DEPLOYMENT_LOG_LEVELS = ['info', 'warn', 'error'] as const;
export type DeploymentLogLevel = (typeof DEPLOYMENT_LOG_LEVELS)[number];

/** One served file of a deployed site, as recorded in `deployments.site_manifest`. */
export interface SiteManifestFile {
  readonly contentType: string;
  readonly cacheControl: string;
  /** Hex SHA-256 of the uncompressed body: the strong ETag. */
  readonly sha256: string;
  readonly size: number;
  readonly gzipSize: number;
  readonly brotliSize: number;
}

/** Every file of a deployed site by its path relative to the site root (`index.html`). */
export interface SiteManifest {
  readonly files: Readonly<Record<string, SiteManifestFile>>;
}

export interface DeploymentsTable {
  id: Generated<string>;
  portfolio_id: string;
  requested_by: string;
  /** The portfolio version deployed: retries build the same snapshot. */
  portfolio_version: number;
  status: Generated<DeploymentStatus>;
  current_step: DeploymentStep | null;
  progress: Generated<number>;
  /** The BullMQ attempt running or last run; 0 while queued. */
  attempt: Generated<number>;
  subdomain: string | null;
  domain: string | null;
  site_url: string | null;
  content_hash: string | null;
  /** Written as a JSON string once BUILDING has run; null before. */
  site_manifest: ColumnType<SiteManifest | null, string | null | undefined, string | null>;
  error_code: string | null;
  error_message: string | null;
  queued_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  /** Touched by every write of a run: an unfinished deployment left untouched is abandoned. */
  updated_at: Timestamp;
  /** The token of the run that owns the deployment (claimed at attempt start); null before. */
  run_token: string | null;
}

export interface DeploymentStepsTable {
  deployment_id: string;
  step: DeploymentStep;
  result: JsonColumn<unknown>;
  attempt: number;
  finished_at: Timestamp;
}

export interface DeploymentLogsTable {
  /** bigint identity: read as a string. */
  id: Generated<string>;
  deployment_id: string;
  step: string | null;
  level: DeploymentLogLevel;
  message: string;
  created_at: Timestamp;
}

export interface CustomDomainsTable {
  id: Generated<string>;
  portfolio_id: string;
  owner_id: string;
  /** Lower-case host name, e.g. `jane.example.com`. */
  domain: string;
  verification_token: string;
  verified_at: NullableTimestamp;
  /** Storage keys (bucket `certificates`) of the current certificate chain and its key. */
  certificate_chain_key: string | null;
  certificate_key_key: string | null;
  certificate_not_after: NullableTimestamp;
  /** Held by the run issuing a certificate, until it records one or the lease lapses. */
  certificate_lease_token: string | null;
  certificate_lease_until: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Tables of deployments and custom domains, merged into `Database`. */
export interface DeploymentsTables {
  deployments: DeploymentsTable;
  deployment_steps: DeploymentStepsTable;
  deployment_logs: DeploymentLogsTable;
  custom_domains: CustomDomainsTable;
}
