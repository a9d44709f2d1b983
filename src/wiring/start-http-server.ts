import type { Server } from 'node:http';

import { serve } from '@hono/node-server';

import { createApp } from '../http/create-app.ts';
import type { Deps } from './create-deps.ts';

/** Listens on the configured port and registers a close that drains open connections. */
export async function startHttpServer(deps: Deps): Promise<Server> {
  const { config, logger, shutdown } = deps;
  const app = createApp(deps.app);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = serve(
      { fetch: app.fetch, port: config.http.port, hostname: config.http.host },
      () => {
        resolve(listening as Server);
      },
    );
    listening.once('error', reject);
  });
  shutdown.register('http', async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      // Idle keep-alive sockets would hold close() open until they time out.
      server.closeIdleConnections();
    });
  });
  logger.info({ host: config.http.host, port: config.http.port }, 'HTTP server listening');
  return server;
}
