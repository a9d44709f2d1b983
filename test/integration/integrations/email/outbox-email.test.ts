import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import type { EmailMessage } from '../../../../src/integrations/email/email.ts';
import { createOutboxEmail } from '../../../../src/integrations/email/outbox-email.ts';
import { createEmailCall } from './create-email-call.ts';

const FROM = 'RoleRabbit <no-reply@localhost>';

const message: EmailMessage = {
  to: 'ada@example.com',
  subject: 'Your PDF of "Design work" is ready',
  text: 'Download it: https://files.example.com/a.pdf',
  html: '<p>Download it: <a href="https://files.example.com/a.pdf">PDF</a></p>',
  idempotencyKey: 'export-ready:7f1c',
  replyTo: 'support@rolerabbit.com',
};

let root: string;
let directory: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'rolerabbit-outbox-'));
  directory = join(root, 'outbox');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe(createOutboxEmail.name, () => {
  it('writes one RFC 5322 file with the text and HTML alternatives', async () => {
    const email = createOutboxEmail({ directory, from: FROM, call: createEmailCall().call });

    const sent = await email.send(message);

    const files = await readdir(directory);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^export-ready-7f1c-[0-9a-f]{16}\.eml$/);
    const raw = await readFile(join(directory, files[0]!));
    expect(raw.toString('utf8')).toMatch(/Content-Type: multipart\/alternative/i);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.to).toMatchObject({ text: 'ada@example.com' });
    expect(parsed.from).toMatchObject({ value: [{ address: 'no-reply@localhost' }] });
    expect(parsed.replyTo).toMatchObject({ text: 'support@rolerabbit.com' });
    expect(parsed.text?.trim()).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    expect(parsed.messageId).toBe(sent.messageId);
    expect(parsed.headers.get('x-entity-ref-id')).toBe('export-ready:7f1c');
  });

  it('writes one file when the same message is sent twice, returning the same id', async () => {
    const email = createOutboxEmail({ directory, from: FROM, call: createEmailCall().call });

    const first = await email.send(message);
    const second = await email.send({ ...message, subject: 'A retry that rebuilt the subject' });

    expect(second.messageId).toBe(first.messageId);
    const files = await readdir(directory);
    expect(files).toHaveLength(1);
    const parsed = await simpleParser(await readFile(join(directory, files[0]!)));
    expect(parsed.subject).toBe(message.subject);
  });

  it('writes one file per idempotency key', async () => {
    const email = createOutboxEmail({ directory, from: FROM, call: createEmailCall().call });

    const first = await email.send(message);
    const second = await email.send({ ...message, idempotencyKey: 'export-ready:9a2b' });

    expect(second.messageId).not.toBe(first.messageId);
    expect(await readdir(directory)).toHaveLength(2);
  });

  it('refuses a malformed recipient before writing anything', async () => {
    const email = createOutboxEmail({ directory, from: FROM, call: createEmailCall().call });

    await expect(email.send({ ...message, to: 'ada' })).rejects.toBeInstanceOf(InvalidInputError);

    await expect(readdir(directory)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
