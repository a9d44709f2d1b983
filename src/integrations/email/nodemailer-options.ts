import type { SendMailOptions } from 'nodemailer';

import type { EmailMessage } from './email.ts';
import { ENTITY_REF_HEADER, messageIdFor } from './email-message.ts';

/** The nodemailer message shared by the outbox and SMTP adapters: text + HTML alternatives. */
export function toNodemailerOptions(message: EmailMessage, from: string): SendMailOptions {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
    messageId: messageIdFor(message.idempotencyKey, from),
    headers: { [ENTITY_REF_HEADER]: message.idempotencyKey },
  };
}
