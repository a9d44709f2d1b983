import type { AddressInfo } from 'node:net';

import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface ReceivedSmtpMessage {
  readonly from: string | undefined;
  readonly to: readonly string[];
  readonly raw: Buffer;
  readonly user: string | undefined;
}

/** How the server answers the next DATA (after reading the whole message). */
export type DataScript =
  { readonly reply: number; readonly message: string } | { readonly hang: true };

export interface SmtpTestServerOptions {
  /** When set, AUTH is required and only this pair is accepted. */
  readonly credentials?: { readonly user: string; readonly password: string };
}

export interface SmtpTestServer {
  readonly host: string;
  readonly port: number;
  /** Messages the server accepted. */
  readonly messages: ReceivedSmtpMessage[];
  /** Sessions opened so far: one per send attempt. */
  connections(): number;
  /** Every DATA the server received, accepted or not. */
  dataCommands(): number;
  /** Answer the next DATA commands with these scripts, in order. */
  scriptData(...scripts: DataScript[]): void;
  /** RCPT TO for this address is answered 550. */
  rejectRecipient(address: string): void;
  /** Sessions the client closed or quit so far. */
  closedSessions(): number;
  /** Resolves once `count` sessions have closed. */
  waitForClosedSessions(count: number): Promise<void>;
  close(): Promise<void>;
}

function smtpError(reply: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: reply });
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A real SMTP server on 127.0.0.1 (no TLS) that records messages and fails on command. */
export async function startSmtpTestServer(
  options: SmtpTestServerOptions = {},
): Promise<SmtpTestServer> {
  const messages: ReceivedSmtpMessage[] = [];
  const scripts: DataScript[] = [];
  const rejected = new Set<string>();
  const closeWaiters: { count: number; resolve: () => void }[] = [];
  let dataCount = 0;
  let connected = 0;
  let closed = 0;
  const { credentials } = options;

  const server = new SMTPServer({
    authOptional: credentials === undefined,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      connected += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.username === credentials?.user && auth.password === credentials?.password) {
        callback(null, { user: auth.username });
        return;
      }
      callback(smtpError(535, 'Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address)) {
        callback(smtpError(550, 'Mailbox unavailable'));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      dataCount += 1;
      const script = scripts.shift();
      void readAll(stream).then((raw) => {
        if (script !== undefined && 'hang' in script) {
          return;
        }
        if (script !== undefined) {
          callback(smtpError(script.reply, script.message));
          return;
        }
        const from = session.envelope.mailFrom;
        messages.push({
          from: from === false ? undefined : from.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
    onClose() {
      closed += 1;
      for (const waiter of closeWaiters.filter((w) => closed >= w.count)) {
        waiter.resolve();
      }
    },
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    messages,
    connections: () => connected,
    dataCommands: () => dataCount,
    scriptData(...next) {
      scripts.push(...next);
    },
    rejectRecipient(address) {
      rejected.add(address);
    },
    closedSessions: () => closed,
    waitForClosedSessions(count) {
      return closed >= count
        ? Promise.resolve()
        : new Promise((resolve) => closeWaiters.push({ count, resolve }));
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
