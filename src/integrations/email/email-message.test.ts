import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../errors/app-error.ts';
import type { EmailMessage } from './email.ts';
import { addressOf, fileNameFor, messageIdFor, validateEmailMessage } from './email-message.ts';

const message: EmailMessage = {
  to: 'ada@example.com',
  subject: 'Hello',
  text: 'Hi',
  html: '<p>Hi</p>',
  idempotencyKey: 'export-ready:7f1c',
};

function fieldsRejected(overrides: Partial<EmailMessage>): string[] {
  try {
    validateEmailMessage({ ...message, ...overrides });
  } catch (err) {
    if (err instanceof InvalidInputError) {
      return [...new Set(err.fieldIssues.map((issue) => issue.path))];
    }
    throw err;
  }
  return [];
}

describe(validateEmailMessage.name, () => {
  it('accepts a well-formed message', () => {
    expect(fieldsRejected({})).toEqual([]);
  });

  it('rejects a malformed recipient and reply-to as InvalidInputError naming the field', () => {
    expect(fieldsRejected({ to: 'not-an-address', replyTo: 'also bad' })).toEqual([
      'to',
      'replyTo',
    ]);
  });

  it('rejects a subject with a line break (header injection)', () => {
    expect(fieldsRejected({ subject: 'Hi\r\nBcc: x@example.com' })).toEqual(['subject']);
  });

  it('rejects an empty, spaced or over-long idempotency key', () => {
    expect(fieldsRejected({ idempotencyKey: '' })).toEqual(['idempotencyKey']);
    expect(fieldsRejected({ idempotencyKey: 'a b' })).toEqual(['idempotencyKey']);
    expect(fieldsRejected({ idempotencyKey: 'k'.repeat(257) })).toEqual(['idempotencyKey']);
  });
});

describe(messageIdFor.name, () => {
  it('is stable per key, differs between keys and uses the sender domain', () => {
    const first = messageIdFor('export-ready:1', 'RoleRabbit <no-reply@rolerabbit.com>');

    expect(first).toMatch(/^<[0-9a-f]{32}@rolerabbit\.com>$/);
    expect(messageIdFor('export-ready:1', 'no-reply@rolerabbit.com')).toBe(first);
    expect(messageIdFor('export-ready:2', 'no-reply@rolerabbit.com')).not.toBe(first);
  });
});

describe(fileNameFor.name, () => {
  it('keeps a readable prefix and tells apart keys that sanitise alike', () => {
    const colon = fileNameFor('export-ready:7f1c');
    const slash = fileNameFor('export-ready/7f1c');

    expect(colon).toMatch(/^export-ready-7f1c-[0-9a-f]{16}\.eml$/);
    expect(slash).toMatch(/^export-ready-7f1c-[0-9a-f]{16}\.eml$/);
    expect(colon).not.toBe(slash);
  });

  it('never produces a path separator or a hidden file', () => {
    expect(fileNameFor('../../etc/passwd')).toMatch(/^etc-passwd-[0-9a-f]{16}\.eml$/);
    expect(fileNameFor('...')).toMatch(/^[0-9a-f]{16}\.eml$/);
  });
});

describe(addressOf.name, () => {
  it('reads the address out of a display-name mailbox or a bare one', () => {
    expect(addressOf('RoleRabbit <no-reply@localhost>')).toBe('no-reply@localhost');
    expect(addressOf('no-reply@localhost')).toBe('no-reply@localhost');
  });
});
