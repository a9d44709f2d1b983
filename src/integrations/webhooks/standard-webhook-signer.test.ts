import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

import {
  generateWebhookSecret,
  signWebhook,
  WEBHOOK_SECRET_PREFIX,
} from './standard-webhook-signer.ts';

const body = JSON.stringify({ type: 'export.ready', timestamp: '2026-01-01T00:00:00.000Z' });

describe(signWebhook.name, () => {
  it('produces headers that the standardwebhooks library verifies', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({
      secret,
      webhookId: 'msg_2b9f1c',
      sentAt: new Date(),
      body,
    });

    const verified = new Webhook(secret).verify(body, { ...headers });

    expect(verified).toEqual(JSON.parse(body));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('sends the timestamp in whole unix seconds', () => {
    const headers = signWebhook({
      secret: generateWebhookSecret(),
      webhookId: 'msg_1',
      sentAt: new Date('2026-03-01T12:00:00.999Z'),
      body,
    });

    expect(headers['webhook-timestamp']).toBe('1772366400');
  });

  it('is rejected by the library when the body was changed', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ secret, webhookId: 'msg_1', sentAt: new Date(), body });

    expect(() => new Webhook(secret).verify(`${body} `, { ...headers })).toThrow();
  });

  it('is rejected by the library under another secret', () => {
    const headers = signWebhook({
      secret: generateWebhookSecret(),
      webhookId: 'msg_1',
      sentAt: new Date(),
      body,
    });

    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow();
  });

  it('refuses a secret without the whsec_ prefix and an id containing a dot', () => {
    const sentAt = new Date();

    expect(() => signWebhook({ secret: 'c2VjcmV0', webhookId: 'a', sentAt, body })).toThrow(
      /whsec_/,
    );
    expect(() =>
      signWebhook({ secret: generateWebhookSecret(), webhookId: 'a.b', sentAt, body }),
    ).toThrow(/must not contain/);
  });
});

describe(generateWebhookSecret.name, () => {
  it('makes distinct whsec_ secrets holding 32 random bytes', () => {
    const first = generateWebhookSecret();
    const second = generateWebhookSecret();

    expect(first.startsWith(WEBHOOK_SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(first.slice(WEBHOOK_SECRET_PREFIX.length), 'base64')).toHaveLength(32);
    expect(first).not.toBe(second);
  });
});
