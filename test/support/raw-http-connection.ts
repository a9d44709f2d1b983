import { connect, type Socket } from 'node:net';

/** One response as it came off the wire. */
export interface RawResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A TCP connection that writes whatever the test says, however slowly or wrongly. */
export interface RawConnection {
  /** False once the connection is gone. */
  write(data: string): boolean;
  /** Sends `line` every `everyMs` until the connection closes (a slow-loris client). */
  drip(line: string, everyMs: number): void;
  /** Every byte the server sent so far, as latin1 text. */
  received(): string;
  /** The first complete response, once it has arrived. */
  firstResponse(): RawResponse | undefined;
  /** Resolves when the connection closes, from either side. */
  readonly closed: Promise<void>;
  /** Whether the connection closes within `ms` (an upper bound, not a measurement). */
  closesWithin(ms: number): Promise<boolean>;
  destroy(): void;
}

/** Parses the first response of `text`: status line, headers and a Content-Length body. */
export function parseRawResponse(text: string): RawResponse | undefined {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) {
    return undefined;
  }
  const [statusLine = '', ...lines] = text.slice(0, headEnd).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? '0');
  const body = text.slice(headEnd + 4, headEnd + 4 + length);
  return body.length < length ? undefined : { status, headers, body };
}

export async function openRawConnection(port: number): Promise<RawConnection> {
  const socket: Socket = connect(port, '127.0.0.1');
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  // A reset by the server counts as closing; the test looks at what arrived before it.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      clearInterval(timer);
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const write = (data: string) => !socket.destroyed && socket.write(data, 'latin1');
  return {
    write,
    drip(line, everyMs) {
      timer = setInterval(() => {
        write(line);
      }, everyMs);
    },
    received: () => text,
    firstResponse: () => parseRawResponse(text),
    closed,
    async closesWithin(ms) {
      let deadline: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>((resolve) => {
          deadline = setTimeout(() => {
            resolve(false);
          }, ms);
        }),
      ]);
      clearTimeout(deadline);
      return outcome;
    },
    destroy() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
