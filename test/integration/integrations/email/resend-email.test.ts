import { setTimeout as delay } from 'node:timers/promises';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import type { EmailMessage } from '../../../../src/integrations/email/email.ts';
import { createResendEmail } from '../../../../src/integrations/email/resend-email.ts';
import {
  IntegrationFailure,
  IntegrationTimeoutError,
  IntegrationUnavailableError,
} from '../../../../src/integrations/resilience/integration-errors.ts';
import type { ResilientCall } from '../../../../src/integrations/resilience/resilient-call.ts';
import {
  type ResendApiStandIn,
  startResendApiStandIn,
} from '../../../support/stand-ins/resend-api.ts';
import { createEmailCall } from './create-email-call.ts';

const FROM = 'RoleRabbit <no-reply@rolerabbit.com>';

const message: EmailMessage = {
  to: 'ada@example.com',
  subject: 'Your PDF of "Design work" is ready',
  text: 'Download it: https://files.example.com/a.pdf',
  html: '<p><a href="https://files.example.com/a.pdf">Download</a></p>',
  idempotencyKey: 'export-ready:7f1c',
};

let resend: ResendApiStandIn;

beforeEach(async () => {
  resend = await startResendApiStandIn();
});

afterEach(async () => {
  await resend.close();
});

function resendEmail(call: ResilientCall, apiKey = resend.apiKey) {
  return createResendEmail({ apiKey, from: FROM, baseUrl: `${resend.url}/`, call });
}

describe(createResendEmail.name, () => {
  it("posts the documented JSON with the bearer key and returns Resend's id", async () => {
    const sent = await resendEmail(createEmailCall().call).send({
      ...message,
      replyTo: 'support@rolerabbit.com',
    });

    expect(resend.emails).toHaveLength(1);
    expect(sent.messageId).toBe(resend.emails[0]?.id);
    expect(resend.requests[0]).toMatchObject({
      method: 'POST',
      path: '/emails',
      authorization: `Bearer ${resend.apiKey}`,
      idempotencyKey: 'export-ready:7f1c',
      body: {
        from: FROM,
        to: ['ada@example.com'],
        subject: message.subject,
        html: message.html,
        text: message.text,
        reply_to: 'support@rolerabbit.com',
      },
    });
  });

  it('sends the same Idempotency-Key on every retry after 5xx answers', async () => {
    resend.failNext(
      { status: 500, name: 'internal_server_error' },
      { status: 503, name: 'service_unavailable' },
    );
    const { call, delays } = createEmailCall();

    const sent = await resendEmail(call).send(message);

    expect(resend.requests.map((request) => request.status)).toEqual([500, 503, 200]);
    expect(resend.requests.map((request) => request.idempotencyKey)).toEqual([
      'export-ready:7f1c',
      'export-ready:7f1c',
      'export-ready:7f1c',
    ]);
    expect(resend.emails).toHaveLength(1);
    expect(sent.messageId).toBe(resend.emails[0]?.id);
    expect(delays).toEqual([10, 20]);
  });

  it('waits for Retry-After on a 429 before retrying', async () => {
    resend.failNext({ status: 429, name: 'rate_limit_exceeded', retryAfterSeconds: 1 });
    const { call, delays } = createEmailCall();

    await resendEmail(call).send(message);

    expect(delays).toEqual([1000]);
    expect(resend.emails).toHaveLength(1);
  });

  it('reports the integration unavailable when every attempt fails', async () => {
    resend.failNext(
      { status: 500, name: 'application_error' },
      { status: 500, name: 'application_error' },
      { status: 500, name: 'application_error' },
    );

    await expect(resendEmail(createEmailCall().call).send(message)).rejects.toBeInstanceOf(
      IntegrationUnavailableError,
    );

    expect(resend.requests).toHaveLength(3);
  });

  it('does not retry a 422 validation error', async () => {
    resend.failNext({ status: 422, name: 'validation_error' });
    const { call, delays, breaker } = createEmailCall();

    const failure = await resendEmail(call)
      .send(message)
      .catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationFailure);
    expect(failure).toMatchObject({ kind: 'rejected', status: 422 });
    expect((failure as Error).message).toContain('validation_error');
    expect(resend.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(breaker.snapshot().consecutiveFailures).toBe(0);
  });

  it('does not retry a refused API key', async () => {
    const { call } = createEmailCall();

    await expect(resendEmail(call, 're_wrong').send(message)).rejects.toMatchObject({
      kind: 'rejected',
      status: 403,
    });

    expect(resend.requests).toHaveLength(1);
  });

  it('retries a 409 for a concurrent request with the same key', async () => {
    resend.failNext({ status: 409, name: 'concurrent_idempotent_requests' });
    const { call, delays } = createEmailCall();

    await resendEmail(call).send(message);

    expect(resend.requests.map((request) => request.status)).toEqual([409, 200]);
    expect(delays).toEqual([10]);
  });

  it('returns the first id when the same message is sent again, and Resend sends it once', async () => {
    const email = resendEmail(createEmailCall().call);

    const first = await email.send(message);
    const second = await email.send(message);

    expect(second.messageId).toBe(first.messageId);
    expect(resend.emails).toHaveLength(1);
  });

  it('does not retry a key reused for a different message (409)', async () => {
    const { call, delays } = createEmailCall();
    const email = resendEmail(call);
    await email.send(message);

    await expect(email.send({ ...message, subject: 'Something else' })).rejects.toMatchObject({
      kind: 'rejected',
      status: 409,
    });

    expect(resend.requests).toHaveLength(2);
    expect(delays).toEqual([]);
  });

  it('aborts a request that outlives the per-attempt timeout', async () => {
    resend.failNext({ hang: true });
    const { call } = createEmailCall({
      timeoutMs: 200,
      retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 1000 },
    });

    const failure = await resendEmail(call)
      .send(message)
      .catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationUnavailableError);
    expect((failure as Error).cause).toBeInstanceOf(IntegrationTimeoutError);
    const closed = await Promise.race([
      resend.requests[0]?.closedByClient.then(() => 'closed'),
      delay(2000, 'still open'),
    ]);
    expect(closed).toBe('closed');
    expect(resend.emails).toHaveLength(0);
  });

  it('refuses a malformed recipient without calling Resend', async () => {
    await expect(
      resendEmail(createEmailCall().call).send({ ...message, to: 'not-an-address' }),
    ).rejects.toBeInstanceOf(InvalidInputError);

    expect(resend.requests).toHaveLength(0);
  });
});
