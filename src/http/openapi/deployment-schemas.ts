import { z } from '@hono/zod-openapi';

import {
  DEPLOYMENT_LOG_LEVELS,
  DEPLOYMENT_STATUSES,
  DEPLOYMENT_STEPS,
} from '../../db/tables/deployments-tables.ts';
import type {
  Deployment,
  DeploymentLog,
  DeploymentSummary,
} from '../../features/deployments/deployment.types.ts';

const timestamp = z.iso.datetime();

export const deploymentSummarySchema = z
  .object({
    id: z.uuid(),
    portfolioId: z.uuid(),
    portfolioVersion: z.int().openapi({ description: 'The portfolio version this deploys' }),
    status: z.enum(DEPLOYMENT_STATUSES).openapi({
      description: 'FAILED only once the last attempt has failed',
      example: 'BUILDING',
    }),
    currentStep: z.enum(DEPLOYMENT_STEPS).nullable(),
    progress: z.int().min(0).max(100),
    attempt: z.int().openapi({ description: 'The attempt running or last run; 0 while queued' }),
    subdomain: z.string().nullable().openapi({ example: 'grace' }),
    domain: z
      .string()
      .nullable()
      .openapi({ description: 'A verified custom domain served too', example: null }),
    siteUrl: z.string().nullable().openapi({ example: 'http://grace.localhost:3000/' }),
    contentHash: z.string().nullable().openapi({ description: 'SHA-256 of the built site' }),
    error: z
      .object({
        code: z.string().openapi({ example: 'storage.unavailable' }),
        message: z.string(),
      })
      .nullable(),
    queuedAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    isLive: z.boolean().openapi({ description: "True when the portfolio's sites serve this" }),
  })
  .openapi('DeploymentSummary');

export const deploymentLogSchema = z
  .object({
    step: z.string().nullable().openapi({ example: 'BUILDING' }),
    level: z.enum(DEPLOYMENT_LOG_LEVELS),
    message: z.string(),
    time: timestamp,
  })
  .openapi('DeploymentLog');

export const deploymentSchema = deploymentSummarySchema
  .extend({
    logs: z.array(deploymentLogSchema).openapi({
      description: 'Oldest first; the newest 500 lines when there are more',
    }),
  })
  .openapi('Deployment');

export function presentDeploymentSummary(deployment: DeploymentSummary) {
  return {
    id: deployment.id,
    portfolioId: deployment.portfolioId,
    portfolioVersion: deployment.portfolioVersion,
    status: deployment.status,
    currentStep: deployment.currentStep,
    progress: deployment.progress,
    attempt: deployment.attempt,
    subdomain: deployment.subdomain,
    domain: deployment.domain,
    siteUrl: deployment.siteUrl,
    contentHash: deployment.contentHash,
    error: deployment.error === null ? null : { ...deployment.error },
    queuedAt: deployment.queuedAt.toISOString(),
    startedAt: deployment.startedAt?.toISOString() ?? null,
    finishedAt: deployment.finishedAt?.toISOString() ?? null,
    isLive: deployment.isLive,
  };
}

function presentLog(log: DeploymentLog) {
  return { step: log.step, level: log.level, message: log.message, time: log.time.toISOString() };
}

export function presentDeployment(deployment: Deployment) {
  return { ...presentDeploymentSummary(deployment), logs: deployment.logs.map(presentLog) };
}
