import { createTransport, type NodemailerError } from 'nodemailer';

import { IntegrationFailure } from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { EmailSender } from './email.ts';
import { validateEmailMessage } from './email-message.ts';
import { toNodemailerOptions } from './nodemailer-options.ts';

export interface SmtpEmailOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); false upgrades with STARTTLS when offered. */
  readonly secure: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  readonly call: ResilientCall;
  /**
   * nodemailer's own connection, greeting and socket timeouts, in ms; default 30 000. Keep it
   * at the integration's per-attempt timeout: the attempt's AbortSignal is the real deadline.
   */
  readonly timeoutMs?: number;
}

/** Our own faults that no retry can fix, even though the server never said so. */
const CALLER_FAULT_CODES = new Set([
  'ECONFIG',
  'EENVELOPE',
  'ENOAUTH',
  'EMAXRECIPIENTS',
  'EFILEACCESS',
  'EURLACCESS',
]);

/**
 * RFC 5321: a 4yz reply is transient and a 5yz reply permanent (503 only says the session was
 * in the wrong state, so a new connection may succeed). Without a reply the connection failed
 * or timed out, which is worth another attempt.
 */
function toFailure(err: unknown): IntegrationFailure {
  const error = err as NodemailerError;
  const code = error.responseCode;
  const reply = error.response ?? error.message;
  if (typeof code === 'number') {
    const permanent = code >= 500 && code !== 503;
    return new IntegrationFailure('email', `SMTP server answered ${reply}`, {
      kind: permanent ? 'rejected' : 'retryable',
      status: code,
      cause: err,
    });
  }
  const kind =
    error.code !== undefined && CALLER_FAULT_CODES.has(error.code) ? 'rejected' : 'retryable';
  return new IntegrationFailure(
    'email',
    `SMTP send failed (${error.code ?? 'unknown'}): ${reply}`,
    {
      kind,
      cause: err,
    },
  );
}

/** Sends through any SMTP relay; one connection per message, closed when the attempt ends. */
export function createSmtpEmail(options: SmtpEmailOptions): EmailSender {
  const { from, call } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transport = createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    auth: options.user === undefined ? undefined : { user: options.user, pass: options.password },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // Messages are built from strings only: never let content pull in local files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  return {
    async send(message) {
      validateEmailMessage(message);
      return call('send', async (signal) => {
        try {
          // The signal makes nodemailer close the connection, so a timed-out attempt stops.
          const info = await transport.sendMail({ ...toNodemailerOptions(message, from), signal });
          return { messageId: info.messageId };
        } catch (err) {
          throw toFailure(err);
        }
      });
    },
  };
}
