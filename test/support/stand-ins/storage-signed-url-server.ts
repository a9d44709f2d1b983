import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { getRequestListener } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import { pino } from 'pino';

import type { AppEnv } from '../../../src/http/app-env.ts';
import { createErrorHandler } from '../../../src/http/error-handler.ts';
import { requestContext } from '../../../src/http/middleware/request-context.ts';
import { storageRoutes } from '../../../src/http/routes/storage.routes.ts';
import type { Storage } from '../../../src/integrations/storage/storage.ts';

export interface SignedUrlServer {
  /** Where signed URLs must point (the adapter's `publicUrl`). */
  readonly url: string;
  /** Serves `storage` from now on; the URL exists first because the adapter needs it. */
  attach(storage: Storage): void;
  close(): Promise<void>;
}

/** A loopback HTTP server running `storageRoutes` the way the app mounts it. */
export async function startSignedUrlServer(signingSecret: string): Promise<SignedUrlServer> {
  let listener: ReturnType<typeof getRequestListener> | undefined;
  const server = createServer((request, response) => {
    if (listener === undefined) {
      response.writeHead(503).end();
      return;
    }
    void listener(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${String(port)}`,
    attach(storage) {
      const app = new OpenAPIHono<AppEnv>();
      app.use(requestContext({ logger: pino({ level: 'silent' }) }));
      app.route('/', storageRoutes({ storage, signingSecret }));
      app.onError(createErrorHandler());
      listener = getRequestListener(app.fetch);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
