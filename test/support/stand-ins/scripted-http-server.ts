import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with the next request. */
export type Script =
  | {
      readonly status: number;
      readonly body?: string;
      readonly headers?: Record<string, string>;
      /** Answer only after this long. */
      readonly delayMs?: number;
    }
  | { readonly hang: true };

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Resolves when the client closed the connection before we answered. */
  readonly closedByClient: Promise<void>;
}

export interface ScriptedHttpServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Queue answers; when the queue is empty the fallback answers. */
  enqueue(...scripts: Script[]): void;
  setFallback(script: Script): void;
  close(): Promise<void>;
}

/** A loopback HTTP server that fails, succeeds or hangs on command, and records every request. */
export async function startScriptedHttpServer(
  fallback: Script = { status: 200, body: '{}' },
): Promise<ScriptedHttpServer> {
  const queue: Script[] = [];
  const requests: RecordedRequest[] = [];
  let defaultScript = fallback;
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    const closedByClient = new Promise<void>((resolve) => {
      response.on('close', () => {
        if (!response.writableFinished) {
          resolve();
        }
      });
    });
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        closedByClient,
      });
      const script = queue.shift() ?? defaultScript;
      if ('hang' in script) {
        hanging.add(response);
        return;
      }
      const answer = () => {
        response.writeHead(script.status, {
          'content-type': 'application/json',
          ...script.headers,
        });
        response.end(script.body ?? '');
      };
      if (script.delayMs === undefined) {
        answer();
      } else {
        setTimeout(answer, script.delayMs);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    enqueue(...scripts) {
      queue.push(...scripts);
    },
    setFallback(script) {
      defaultScript = script;
    },
    async close() {
      for (const response of hanging) {
        response.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
