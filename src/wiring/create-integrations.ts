import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { Config } from '../config/env.ts';
import type { BreakerSnapshot } from '../integrations/resilience/circuit-breaker.ts';
import {
  INTEGRATION_NAMES,
  type IntegrationName,
} from '../integrations/resilience/integration-errors.ts';
import {
  type AttemptObserver,
  createIntegration,
  type Integration,
} from '../integrations/resilience/resilient-call.ts';
import { createIntegrationMetrics } from '../metrics/integration-metrics.ts';

/** Webhooks keep one breaker per delivery target instead (see webhook-calls.ts). */
export type SharedIntegrationName = Exclude<IntegrationName, 'webhooks'>;

export interface Integrations {
  /** The integration's main breaker and policy. */
  get(name: SharedIntegrationName): Integration;
  /** Another breaker under the same policy, for a vendor that must fail on its own. */
  addBreaker(name: IntegrationName, breakerName: string): Integration;
  readBreakers(): readonly BreakerSnapshot[];
  /** Counts attempts for metrics; give it to integrations built elsewhere (webhooks). */
  readonly observer: AttemptObserver;
  shutdown(): void;
}

/** One breaker and retry/timeout policy per integration, all reporting to the registry. */
export function createIntegrations(
  config: Config['integrations']['resilience'],
  deps: { readonly logger: Logger; readonly registry: Registry },
): Integrations {
  const all: Integration[] = [];
  const readBreakers = () => all.map((integration) => integration.breaker.snapshot());
  const observer = createIntegrationMetrics(deps.registry, readBreakers);
  const build = (name: IntegrationName, breakerName?: string) => {
    const integration = createIntegration(name, config[name], {
      logger: deps.logger,
      observer,
      ...(breakerName === undefined ? {} : { breakerName }),
    });
    all.push(integration);
    return integration;
  };
  const main = new Map(
    INTEGRATION_NAMES.filter((name) => name !== 'webhooks').map(
      (name) => [name, build(name)] as const,
    ),
  );

  return {
    get(name) {
      const integration = main.get(name);
      if (integration === undefined) {
        throw new Error(`unknown integration ${name}`);
      }
      return integration;
    },
    addBreaker: build,
    readBreakers,
    observer,
    shutdown() {
      for (const integration of all) {
        integration.breaker.shutdown();
      }
    },
  };
}
