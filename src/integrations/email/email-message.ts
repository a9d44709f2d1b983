import { createHash } from 'node:crypto';

import { z } from 'zod';

import { InvalidInputError } from '../../errors/app-error.ts';
import type { EmailMessage } from './email.ts';

const singleLine = (value: string) => !/[\r\n]/.test(value);

const emailMessageSchema = z.object({
  to: z.email(),
  subject: z.string().trim().min(1).max(998).refine(singleLine, 'must not contain line breaks'),
  text: z.string(),
  html: z.string(),
  // Resend accepts 1-256 characters; printable ASCII keeps it a valid header value everywhere.
  idempotencyKey: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  replyTo: z.email().optional(),
});

/** Rejects a message no provider could send, before any attempt is made. */
export function validateEmailMessage(message: EmailMessage): void {
  const result = emailMessageSchema.safeParse(message);
  if (!result.success) {
    const fieldIssues = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new InvalidInputError(
      'request.invalid',
      `invalid email message: ${fieldIssues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { fieldIssues },
    );
  }
}

const MAILBOX = /^(?:[^<>]*<([^<>\s]+@[^<>\s]+)>|([^<>\s]+@[^<>\s]+))$/;

/** The bare address of `Name <addr@host>` or `addr@host`. */
export function addressOf(mailbox: string): string {
  const match = MAILBOX.exec(mailbox.trim());
  const address = match?.[1] ?? match?.[2];
  if (address === undefined) {
    throw new InvalidInputError('request.invalid', `not a mailbox: ${mailbox}`);
  }
  return address;
}

function digestOf(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * A Message-ID derived from the idempotency key, so a message that was sent twice (an
 * attempt that timed out after the server had accepted it) is recognisable as one.
 */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = addressOf(from).split('@').pop() ?? 'localhost';
  return `<${digestOf(idempotencyKey).slice(0, 32)}@${domain}>`;
}

/** A readable, collision-free file name for the key: sanitised prefix plus a hash. */
export function fileNameFor(idempotencyKey: string): string {
  const readable = idempotencyKey
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 64);
  const hash = digestOf(idempotencyKey).slice(0, 16);
  return readable === '' ? `${hash}.eml` : `${readable}-${hash}.eml`;
}

/** Header naming the logical message (Gmail also stops threading unrelated ones on it). */
export const ENTITY_REF_HEADER = 'X-Entity-Ref-ID';
