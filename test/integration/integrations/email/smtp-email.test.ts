import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import type { EmailMessage } from '../../../../src/integrations/email/email.ts';
import {
  createSmtpEmail,
  type SmtpEmailOptions,
} from '../../../../src/integrations/email/smtp-email.ts';
import {
  IntegrationFailure,
  IntegrationTimeoutError,
  IntegrationUnavailableError,
} from '../../../../src/integrations/resilience/integration-errors.ts';
import type { ResilientCall } from '../../../../src/integrations/resilience/resilient-call.ts';
import {
  type SmtpTestServer,
  startSmtpTestServer,
} from '../../../support/stand-ins/smtp-test-server.ts';
import { createEmailCall } from './create-email-call.ts';

const FROM = 'RoleRabbit <no-reply@rolerabbit.test>';

const message: EmailMessage = {
  to: 'ada@example.com',
  subject: 'Deployment of "Design work" failed',
  text: 'Reason: upload timed out',
  html: '<p>Reason: <strong>upload timed out</strong></p>',
  idempotencyKey: 'deployment-failed:dep_42',
  replyTo: 'support@rolerabbit.test',
};

let server: SmtpTestServer;

beforeEach(async () => {
  server = await startSmtpTestServer();
});

afterEach(async () => {
  await server.close();
});

function smtpEmail(call: ResilientCall, overrides: Partial<SmtpEmailOptions> = {}) {
  return createSmtpEmail({
    host: server.host,
    port: server.port,
    secure: false,
    from: FROM,
    call,
    ...overrides,
  });
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve();
    }),
  );
  return port;
}

describe(createSmtpEmail.name, () => {
  it('delivers both alternatives with the idempotency headers and the envelope', async () => {
    const email = smtpEmail(createEmailCall().call);

    const sent = await email.send(message);

    expect(server.messages).toHaveLength(1);
    const received = server.messages[0]!;
    expect(received.from).toBe('no-reply@rolerabbit.test');
    expect(received.to).toEqual(['ada@example.com']);
    expect(received.raw.toString('utf8')).toMatch(/Content-Type: multipart\/alternative/i);
    const parsed = await simpleParser(received.raw);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.to).toMatchObject({ text: 'ada@example.com' });
    expect(parsed.replyTo).toMatchObject({ text: 'support@rolerabbit.test' });
    expect(parsed.text?.trim()).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    expect(parsed.messageId).toMatch(/^<[0-9a-f]{32}@rolerabbit\.test>$/);
    expect(sent.messageId).toBe(parsed.messageId);
    expect(parsed.headers.get('x-entity-ref-id')).toBe('deployment-failed:dep_42');
  });

  it('gives a resent message the same Message-ID, so duplicates are recognisable', async () => {
    const email = smtpEmail(createEmailCall().call);

    await email.send(message);
    await email.send(message);

    const [first, second] = await Promise.all(server.messages.map((m) => simpleParser(m.raw)));
    expect(first?.messageId).toBe(second?.messageId);
  });

  it('retries a 451 on DATA and succeeds on the next attempt', async () => {
    server.scriptData({ reply: 451, message: 'Temporary local problem, try again' });
    const { call, delays } = createEmailCall();

    await smtpEmail(call).send(message);

    expect(server.dataCommands()).toBe(2);
    expect(server.messages).toHaveLength(1);
    expect(delays).toEqual([10]);
  });

  it('gives up on a 550 on DATA after one attempt, as a rejection', async () => {
    server.scriptData({ reply: 550, message: 'Mailbox unavailable' });
    const { call, delays, breaker } = createEmailCall();

    const failure = await smtpEmail(call)
      .send(message)
      .catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationFailure);
    expect(failure).toMatchObject({ kind: 'rejected', status: 550 });
    expect(server.connections()).toBe(1);
    expect(delays).toEqual([]);
    expect(breaker.snapshot().consecutiveFailures).toBe(0);
  });

  it('treats a recipient refused with 550 as a rejection, tried once', async () => {
    server.rejectRecipient('ada@example.com');
    const { call, delays } = createEmailCall();

    await expect(smtpEmail(call).send(message)).rejects.toMatchObject({
      kind: 'rejected',
      status: 550,
    });

    expect(server.connections()).toBe(1);
    expect(server.dataCommands()).toBe(0);
    expect(delays).toEqual([]);
  });

  it('retries a refused connection and reports the integration unavailable', async () => {
    const { call, delays } = createEmailCall();
    const email = smtpEmail(call, { port: await unusedPort() });

    await expect(email.send(message)).rejects.toBeInstanceOf(IntegrationUnavailableError);

    expect(delays).toEqual([10, 20]);
  });

  it('closes the connection when an attempt times out', async () => {
    server.scriptData({ hang: true });
    const { call } = createEmailCall({
      timeoutMs: 200,
      retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 1000 },
    });
    const startedAt = performance.now();

    const failure = await smtpEmail(call)
      .send(message)
      .catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationUnavailableError);
    expect((failure as Error).cause).toBeInstanceOf(IntegrationTimeoutError);
    expect(performance.now() - startedAt).toBeLessThan(2000);
    const closed = await Promise.race([
      server.waitForClosedSessions(1).then(() => 'closed'),
      delay(2000, 'still open'),
    ]);
    expect(closed).toBe('closed');
    expect(server.messages).toHaveLength(0);
  });

  it('logs in with the configured user and password', async () => {
    await server.close();
    server = await startSmtpTestServer({ credentials: { user: 'mailer', password: 's3cret' } });

    await smtpEmail(createEmailCall().call, { user: 'mailer', password: 's3cret' }).send(message);

    expect(server.messages[0]?.user).toBe('mailer');
  });

  it('treats refused credentials (535) as a rejection, not an outage', async () => {
    await server.close();
    server = await startSmtpTestServer({ credentials: { user: 'mailer', password: 's3cret' } });
    const { call, delays } = createEmailCall();

    await expect(
      smtpEmail(call, { user: 'mailer', password: 'wrong' }).send(message),
    ).rejects.toMatchObject({ kind: 'rejected', status: 535 });

    expect(delays).toEqual([]);
  });

  it('refuses a malformed recipient without connecting', async () => {
    await expect(
      smtpEmail(createEmailCall().call).send({ ...message, to: 'ada@' }),
    ).rejects.toBeInstanceOf(InvalidInputError);

    expect(server.connections()).toBe(0);
  });
});
