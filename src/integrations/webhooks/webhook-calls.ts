import type { Logger } from 'pino';

import type { BreakerSnapshot } from '../resilience/circuit-breaker.ts';
import {
  type AttemptObserver,
  createIntegration,
  type Integration,
  type ResilienceOptions,
  type ResilientCall,
} from '../resilience/resilient-call.ts';
import type { Sleep } from '../resilience/retry-policy.ts';

export interface WebhookCallsOptions {
  /** Timeout, retry and breaker policy of every target (config `integrations.resilience.webhooks`). */
  readonly policy: ResilienceOptions;
  /**
   * Targets that keep their own breaker at once; past this the least recently used closed one
   * is forgotten (an open one keeps protecting until it is the only choice).
   * @defaultValue 1000
   */
  readonly maxTargets?: number;
}

export interface WebhookCallsDeps {
  readonly logger: Logger;
  readonly observer?: AttemptObserver;
  readonly sleep?: Sleep;
}

export interface TargetBreakerSnapshot extends BreakerSnapshot {
  readonly target: string;
}

export interface WebhookCalls {
  /** The resilient call for one delivery target; the same key always shares one breaker. */
  readonly callFor: (targetKey: string) => ResilientCall;
  snapshots(): readonly TargetBreakerSnapshot[];
  shutdown(): void;
}

/**
 * One breaker per webhook *target* rather than one for the whole integration. Webhook
 * targets are customers' own servers: one broken endpoint answering 500 or timing out is
 * that customer's outage, not ours, and with a single shared breaker five such failures
 * would stop every customer's webhooks for the reset period. Keying by target keeps the
 * rule "stop hammering what is down" while isolating customers from each other; a failure
 * of our own egress still shows up, as every target's breaker opening. The caller chooses
 * the key (endpoint id + URL), so two customers on one host do not share a breaker either.
 */
export function createWebhookCalls(
  options: WebhookCallsOptions,
  deps: WebhookCallsDeps,
): WebhookCalls {
  const maxTargets = options.maxTargets ?? 1000;
  const byTarget = new Map<string, Integration>();

  function evictOne(): void {
    let victim: string | undefined;
    for (const [key, integration] of byTarget) {
      if (integration.breaker.snapshot().state === 'closed') {
        victim = key;
        break;
      }
    }
    victim ??= byTarget.keys().next().value;
    if (victim !== undefined) {
      byTarget.get(victim)?.breaker.shutdown();
      byTarget.delete(victim);
    }
  }

  function integrationFor(targetKey: string): Integration {
    const existing = byTarget.get(targetKey);
    if (existing !== undefined) {
      // Re-inserting keeps the map in least-recently-used order.
      byTarget.delete(targetKey);
      byTarget.set(targetKey, existing);
      return existing;
    }
    if (byTarget.size >= maxTargets) {
      evictOne();
    }
    const created = createIntegration('webhooks', options.policy, {
      logger: deps.logger,
      ...(deps.observer === undefined ? {} : { observer: deps.observer }),
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
    });
    byTarget.set(targetKey, created);
    return created;
  }

  return {
    callFor(targetKey) {
      return (operation, attempt) => integrationFor(targetKey).call(operation, attempt);
    },
    snapshots() {
      return [...byTarget].map(([target, integration]) => ({
        ...integration.breaker.snapshot(),
        target,
      }));
    },
    shutdown() {
      for (const integration of byTarget.values()) {
        integration.breaker.shutdown();
      }
      byTarget.clear();
    },
  };
}
