import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateWebhookSecret } from '../../../src/integrations/webhooks/standard-webhook-signer.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';
import { waitFor } from '../jobs/job-test-support.ts';
import { createWebhookWorld, readCounter, type WebhookWorld } from './webhook-world.ts';

// R-SEC-3 through the `work` role: an endpoint with no 2xx for the configured time (here
// 300 ms instead of 5 days, attempts 200 ms apart) is disabled and its owner mailed; the
// global endpoint never is, and the operator is mailed once instead. The breaker keeps its
// default (5 failures) and in-call retries would be fast (10 ms): receivers count requests.

const SCHEDULE_MS = [0, 200, 200, 200, 200];
let world: WebhookWorld;
let customer: ScriptedHttpServer;
let operator: ScriptedHttpServer;

beforeAll(async () => {
  customer = await startScriptedHttpServer({ status: 500, body: 'customer down' });
  operator = await startScriptedHttpServer({ status: 503, body: 'ops down' });
  world = await createWebhookWorld({
    WEBHOOK_RETRY_SCHEDULE_MS: SCHEDULE_MS.join(','),
    WEBHOOK_DISABLE_AFTER_MS: '300',
    RETRY_BASE_DELAY_MS: '10',
    DEPLOYMENT_WEBHOOK_URL: `${operator.url}/ops`,
    DEPLOYMENT_WEBHOOK_SECRET: generateWebhookSecret(),
    OPERATOR_EMAIL: 'ops@example.com',
  });
});

afterAll(async () => {
  await world.close();
  await customer.close();
  await operator.close();
});

interface EndpointBody {
  readonly enabled: boolean;
  readonly disabledReason: string | null;
}

describe('endpoints that keep failing (R-SEC-3)', () => {
  it('disables a customer endpoint with no 2xx for the configured time, says why on GET and mails its owner', async () => {
    const endpoint = await world.createEndpoint(`${customer.url}/hook`, ['export.ready']);
    const [deliveryId, globalId] = await world.dispatch('export.ready', { exportId: 'exp_1' });

    const failed = await world.waitForDelivery(deliveryId!, (row) => row.status !== 'pending');
    const fetched = await world.ctx.request<EndpointBody>(
      'GET',
      `/api/webhook-endpoints/${endpoint.id}`,
      { token: world.user.token },
    );

    expect(failed.status).toBe('failed');
    expect(failed.attempt_count).toBeLessThan(SCHEDULE_MS.length);
    expect(customer.requests).toHaveLength(failed.attempt_count);
    expect(fetched.body).toEqual(
      expect.objectContaining({
        enabled: false,
        disabledReason: expect.stringMatching(
          /^no delivery succeeded for 300 milliseconds \(failing since .+\); turn it on again with PATCH \{"enabled": true\}$/,
        ) as unknown,
      }),
    );
    const mail = await waitFor(async () => {
      const messages = await world.readMail();
      return messages.some((message) => message.to === world.user.email) ? messages : undefined;
    });
    const ownerMail = mail.filter((message) => message.to === world.user.email);
    expect(ownerMail).toHaveLength(1);
    expect(ownerMail[0]?.subject).toBe('Your RoleRabbit webhook endpoint was disabled');
    expect(ownerMail[0]?.text).toContain(`${customer.url}/hook`);
    expect(ownerMail[0]?.text).toContain('no delivery succeeded for 300 milliseconds');
    expect(
      await readCounter(world.ctx, 'rolerabbit_webhook_endpoints_disabled_total', [
        'reason="failing"',
      ]),
    ).toBe(1);

    // The global delivery of the same event keeps its whole schedule.
    const global = await world.waitForDelivery(globalId!, (row) => row.status !== 'pending');
    expect(global).toMatchObject({ status: 'failed', attempt_count: SCHEDULE_MS.length });
  });

  it('turns a disabled endpoint on again with PATCH {enabled: true}, its failure streak cleared', async () => {
    const endpoint = await world.createEndpoint(`${customer.url}/again`, ['deployment.failed']);
    const [first] = await world.dispatch('deployment.failed', { deploymentId: 'dep_1' });
    await world.waitForDelivery(first!, (row) => row.status !== 'pending');
    const path = `/api/webhook-endpoints/${endpoint.id}`;
    const disabled = await world.ctx.request<EndpointBody>('GET', path, {
      token: world.user.token,
    });
    customer.setFallback({ status: 204 });
    try {
      const reenabled = await world.ctx.request<EndpointBody>('PATCH', path, {
        token: world.user.token,
        body: { enabled: true },
      });
      // A streak kept across re-enabling would disable the endpoint again at its next failure.
      const streak = await world.ctx.deps.database.db
        .selectFrom('webhook_endpoints')
        .select(['failing_since'])
        .where('id', '=', endpoint.id)
        .executeTakeFirstOrThrow();
      const [next] = await world.dispatch('deployment.failed', { deploymentId: 'dep_2' });
      const delivered = await world.waitForDelivery(next!, (row) => row.status !== 'pending');

      expect(disabled.body.enabled).toBe(false);
      expect(reenabled.body).toMatchObject({ enabled: true, disabledReason: null });
      expect(streak.failing_since).toBeNull();
      expect(delivered).toMatchObject({ status: 'succeeded', attempt_count: 1 });
    } finally {
      customer.setFallback({ status: 500, body: 'customer down' });
    }
  });

  it('never disables the global endpoint and mails the operator once per failing streak', async () => {
    const operatorMail = await waitFor(async () => {
      const messages = (await world.readMail()).filter(
        (message) => message.to === 'ops@example.com',
      );
      return messages.length > 0 ? messages : undefined;
    });
    const streak = await world.ctx.deps.database.db
      .selectFrom('webhook_operator_targets')
      .select(['failing_since', 'alerted_at'])
      .executeTakeFirstOrThrow();

    expect(operatorMail).toHaveLength(1);
    expect(operatorMail[0]?.subject).toBe('The global webhook endpoint keeps failing');
    expect(operatorMail[0]?.text).toContain(`${operator.url}/ops`);
    expect(streak.alerted_at).not.toBeNull();
    const globals = await world.ctx.deps.database.db
      .selectFrom('webhook_deliveries')
      .select(['status', 'attempt_count', 'last_error'])
      .where('is_global', '=', true)
      .execute();
    expect(globals.length).toBeGreaterThanOrEqual(2);
    expect(globals.every((row) => !String(row.last_error).includes('disabled'))).toBe(true);
    expect(operator.requests.length).toBe(globals.reduce((sum, row) => sum + row.attempt_count, 0));
  });
});
