import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

const DEPLOYMENT_PLACEHOLDER = '{deploymentId}';

/** Where links in mail lead a person (issue 8, fault 7). */
export const linksEnvShape = {
  /** The editor app's URL; when set, mail links open its pages instead of the API's status page. */
  EDITOR_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The editor's page of one deployment; `{portfolioId}` and `{deploymentId}` are filled in. */
  EDITOR_DEPLOYMENT_PATH: z
    .string()
    .regex(/^\/[\w\-./{}]*$/, 'a path starting with /')
    .max(500)
    .default('/portfolios/{portfolioId}/deployments/{deploymentId}'),
  /** How long a signed status-page link works. */
  STATUS_LINK_TTL_S: z.coerce
    .number()
    .int()
    .min(3600)
    .max(90 * 24 * 60 * 60)
    .default(7 * 24 * 60 * 60),
};

export type LinksEnv = z.infer<z.ZodObject<typeof linksEnvShape>>;

export interface LinksConfig {
  /** Without a trailing slash; undefined when no editor is configured. */
  readonly editorUrl: string | undefined;
  readonly editorDeploymentPath: string;
  readonly statusLinkTtlSeconds: number;
}

export function buildLinksConfig(env: LinksEnv): {
  readonly config: LinksConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  if (!env.EDITOR_DEPLOYMENT_PATH.includes(DEPLOYMENT_PLACEHOLDER)) {
    problems.push({
      variable: 'EDITOR_DEPLOYMENT_PATH',
      message: `must contain ${DEPLOYMENT_PLACEHOLDER}`,
    });
  }
  return {
    config: {
      editorUrl: env.EDITOR_URL?.replace(/\/+$/, ''),
      editorDeploymentPath: env.EDITOR_DEPLOYMENT_PATH,
      statusLinkTtlSeconds: env.STATUS_LINK_TTL_S,
    },
    problems,
  };
}
