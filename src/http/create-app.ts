import { OpenAPIHono } from '@hono/zod-openapi';
import type { Queue } from 'bullmq';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import { InvalidInputError } from '../errors/app-error.ts';
import type { DeploymentStatusPage } from '../features/deployments/deployment-status-page.ts';
import type { DeploymentService } from '../features/deployments/deployments.service.ts';
import type { ExportService } from '../features/exports/exports.service.ts';
import type { PortfolioService } from '../features/portfolios/portfolios.service.ts';
import type { TemplateService } from '../features/templates/templates.service.ts';
import type { WebhookEndpointService } from '../features/webhooks/webhook-endpoints.service.ts';
import type { BreakerSnapshot } from '../integrations/resilience/circuit-breaker.ts';
import type { AcmeChallengeStore } from '../integrations/ssl/acme-challenge-store.ts';
import type { Storage } from '../integrations/storage/storage.ts';
import type { AppEnv } from './app-env.ts';
import { createErrorHandler, type ErrorTranslator } from './error-handler.ts';
import { authenticate, type AuthenticateOptions } from './middleware/authenticate.ts';
import { createAllowedMethodsLookup } from './middleware/method-not-allowed.ts';
import { rejectUnsafeText } from './middleware/reject-unsafe-text.ts';
import { requestContext } from './middleware/request-context.ts';
import { requireAdmin } from './middleware/require-admin.ts';
import { createProblem, problemResponse } from './problem.ts';
import { acmeChallengeRoutes } from './routes/acme-challenge.routes.ts';
import { adminRoutes, type QueueCountsByName } from './routes/admin.routes.ts';
import { deploymentStatusRoutes } from './routes/deployment-status.routes.ts';
import { deploymentRoutes } from './routes/deployments.routes.ts';
import { docsRoutes } from './routes/docs.routes.ts';
import { exportRoutes } from './routes/exports.routes.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health.routes.ts';
import { meRoutes } from './routes/me.routes.ts';
import { metricsRoutes } from './routes/metrics.routes.ts';
import { portfolioVersionRoutes } from './routes/portfolio-versions.routes.ts';
import { portfolioRoutes } from './routes/portfolios.routes.ts';
import {
  QUEUE_DASHBOARD_COOKIE,
  QUEUE_DASHBOARD_PATH,
  queueDashboardRoutes,
  queueDashboardSessionRoutes,
} from './routes/queue-dashboard.routes.ts';
import { siteServing, type SiteServingDeps } from './routes/site-serving.ts';
import { storageRoutes } from './routes/storage.routes.ts';
import { templateRoutes } from './routes/templates.routes.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.routes.ts';

export interface AppDeps {
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly auth: AuthenticateOptions;
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly portfolios: PortfolioService;
  readonly templates: TemplateService;
  readonly webhookEndpoints: WebhookEndpointService;
  readonly deployments: DeploymentService;
  /** The signed, read-only deployment page that mail links open when there is no editor. */
  readonly deploymentStatusPage: DeploymentStatusPage;
  /** PDF exports: in-request renders, queued exports and their signed links. */
  readonly exports: ExportService;
  readonly metrics: Registry;
  /** Every breaker's state, for admins. */
  readonly readBreakers: () => readonly BreakerSnapshot[];
  /** Integration → the adapter serving it, for admins. */
  readonly activeDrivers: Readonly<Record<string, string>>;
  /** Jobs per queue and state, for admins. */
  readonly readQueueCounts: () => Promise<QueueCountsByName>;
  /** Serves signed links to stored objects (local storage driver). */
  readonly storage: { readonly storage: Storage; readonly signingSecret: string };
  readonly acmeChallenges: AcmeChallengeStore;
  /** Deployed sites, answered by Host before any API route (R-PLAT-3). */
  readonly sites: SiteServingDeps;
  /** Bull Board for admins at /admin/queues (R-JOB-14). */
  readonly queueDashboard: { readonly queues: readonly Queue[]; readonly secureCookie: boolean };
  /** Lower layers' errors that callers should see as something other than a 500. */
  readonly errorTranslators?: readonly ErrorTranslator[];
}

/** Builds the HTTP app from its dependencies. It never listens; the caller serves it. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  // Order matters: the request id and logger must exist before anything can fail.
  app.use(requestContext({ logger: deps.logger }));
  // Conservative browser headers on every answer (nosniff, frame and referrer policy).
  app.use(secureHeaders());
  // Site hosts ({sub}.BASE_DOMAIN, verified custom domains) are answered here and never reach
  // the API; every other host passes through. After secureHeaders so sites get them too.
  app.use(siteServing(deps.sites));
  // Refuse oversize bodies before they are buffered or parsed, the dashboard's API included.
  const limitBody = bodyLimit({
    maxSize: deps.bodyLimitBytes,
    onError: () => {
      throw new InvalidInputError(
        'request.too_large',
        `The request body is larger than ${String(deps.bodyLimitBytes)} bytes.`,
      );
    },
  });
  app.use('/api/*', limitBody);
  app.use(`${QUEUE_DASHBOARD_PATH}/*`, limitBody);
  // Everything under /api is per user; health and docs stay open for probes and people.
  app.use('/api/*', authenticate(deps.auth));
  // NUL and lone surrogates refused in every text input before any validator or query sees them.
  app.use('/api/*', rejectUnsafeText());

  app.route('/', healthRoutes({ checks: deps.readinessChecks }));
  app.route('/', docsRoutes());
  app.route('/', metricsRoutes({ registry: deps.metrics }));
  // Outside /api: a signed link or an ACME validator carries no bearer token.
  app.route('/', storageRoutes(deps.storage));
  app.route('/', acmeChallengeRoutes({ challenges: deps.acmeChallenges }));
  app.route('/', deploymentStatusRoutes({ statusPage: deps.deploymentStatusPage }));
  app.route('/api', meRoutes());
  app.route('/api', portfolioRoutes(deps));
  app.route('/api', portfolioVersionRoutes(deps));
  app.route('/api', templateRoutes(deps));
  app.route('/api', webhookEndpointRoutes(deps));
  app.route('/api', deploymentRoutes(deps));
  app.route('/api', exportRoutes(deps));
  app.route('/api', adminRoutes(deps));
  app.route('/api', queueDashboardSessionRoutes(deps.queueDashboard));

  // The dashboard is a browser page: the admin's token comes as a header or the session cookie.
  const dashboardAuth = authenticate({ ...deps.auth, tokenCookie: QUEUE_DASHBOARD_COOKIE });
  for (const path of [QUEUE_DASHBOARD_PATH, `${QUEUE_DASHBOARD_PATH}/*`]) {
    app.use(path, dashboardAuth, requireAdmin());
  }
  // The board's pages use `<base href="/admin/queues/">`: a reload there must land on it.
  app.get(`${QUEUE_DASHBOARD_PATH}/`, (c) => c.redirect(QUEUE_DASHBOARD_PATH));
  app.route(QUEUE_DASHBOARD_PATH, queueDashboardRoutes(deps.queueDashboard));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'RoleRabbit API',
      version: '0.1.0',
      description: 'Portfolios, versions and templates. Errors are application/problem+json.',
    },
  });

  const allowedMethods = createAllowedMethodsLookup(app);
  app.notFound((c) => {
    const allow = allowedMethods(c.req.path);
    const problem = (status: 404 | 405) =>
      createProblem({
        status,
        code: status === 405 ? 'route.method_not_allowed' : 'route.not_found',
        detail:
          status === 405
            ? `${c.req.method} is not supported here; use ${allow.join(', ')}.`
            : 'No such route.',
        instance: c.req.path,
        requestId: c.get('requestId'),
      });
    // A route that accepts this method and still fell through found nothing (a missing
    // dashboard asset): that is a 404, not a wrong method.
    return allow.length > 0 && !allow.includes(c.req.method)
      ? problemResponse(problem(405), { allow: allow.join(', ') })
      : problemResponse(problem(404));
  });
  app.onError(createErrorHandler({ translators: deps.errorTranslators ?? [] }));
  return app;
}
