import type {
  DeploymentLogLevel,
  DeploymentStatus,
  DeploymentStep,
} from '../../db/tables/deployments-tables.ts';

/** Why a deployment failed, as stored when its last attempt gave up (stack-free). */
export interface DeploymentError {
  readonly code: string;
  readonly message: string;
}

/** One deployment as lists show it: its state, where it is served, and whether it is live. */
export interface DeploymentSummary {
  readonly id: string;
  readonly portfolioId: string;
  /** The portfolio version built: retries and rollbacks serve this snapshot. */
  readonly portfolioVersion: number;
  readonly status: DeploymentStatus;
  readonly currentStep: DeploymentStep | null;
  /** 0–100. */
  readonly progress: number;
  /** The attempt running or last run; 0 while queued. */
  readonly attempt: number;
  readonly subdomain: string | null;
  /** The verified custom domain served too, if the portfolio had one when queued. */
  readonly domain: string | null;
  readonly siteUrl: string | null;
  readonly contentHash: string | null;
  readonly error: DeploymentError | null;
  readonly queuedAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** True when this is the deployment the portfolio's sites serve now. */
  readonly isLive: boolean;
}

/** One line of a deployment's log. */
export interface DeploymentLog {
  readonly step: string | null;
  readonly level: DeploymentLogLevel;
  readonly message: string;
  readonly time: Date;
}

/** A deployment with its log, oldest line first. */
export interface Deployment extends DeploymentSummary {
  readonly logs: readonly DeploymentLog[];
}

/** The answer to a deployment request: the new deployment, or the one already under way. */
export interface DeploymentRequestOutcome {
  readonly deployment: Deployment;
  /** false when an unfinished deployment existed and was returned instead of a new one. */
  readonly created: boolean;
}

/** The answer to a rollback: the deployment now live, and whether the pointer moved. */
export interface RollbackOutcome {
  readonly deployment: Deployment;
  /** false when the deployment was already live (nothing changed). */
  readonly switched: boolean;
}
