import { randomUUID } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createTransport } from 'nodemailer';

import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { EmailSender } from './email.ts';
import { fileNameFor, messageIdFor, validateEmailMessage } from './email-message.ts';
import { toNodemailerOptions } from './nodemailer-options.ts';

export interface OutboxEmailOptions {
  /** Where `.eml` files are written; created on first send. */
  readonly directory: string;
  /** `Name <address>` or a bare address. */
  readonly from: string;
  readonly call: ResilientCall;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Local default: each message becomes one RFC 5322 `.eml` file (open it in any mail client).
 * The file is named after the idempotency key, so sending the same message again is a no-op.
 */
export function createOutboxEmail(options: OutboxEmailOptions): EmailSender {
  const { directory, from, call } = options;
  const composer = createTransport({ streamTransport: true, buffer: true });

  return {
    async send(message) {
      validateEmailMessage(message);
      const messageId = messageIdFor(message.idempotencyKey, from);
      const fileName = fileNameFor(message.idempotencyKey);
      const target = join(directory, fileName);
      return call('send', async (signal) => {
        if (await exists(target)) {
          return { messageId };
        }
        const composed = await composer.sendMail({
          ...toNodemailerOptions(message, from),
          signal,
        });
        if (!Buffer.isBuffer(composed.message)) {
          throw new Error('the stream transport did not buffer the message');
        }
        await mkdir(directory, { recursive: true });
        // Readers never see a half-written file: write beside it, then rename into place.
        const temporary = join(directory, `.${fileName}.${randomUUID()}.tmp`);
        try {
          await writeFile(temporary, composed.message, { signal, flag: 'wx' });
          await rename(temporary, target);
        } catch (err) {
          await rm(temporary, { force: true });
          throw err;
        }
        return { messageId };
      });
    },
  };
}
