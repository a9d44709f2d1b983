import type { Server } from 'node:http';

import { createApp } from '../http/create-app.ts';
import { createHttpServer } from '../http/create-http-server.ts';
import type { Deps } from './create-deps.ts';

/** Listens on the configured port and registers a close that drains open connections. */
export async function startHttpServer(deps: Deps): Promise<Server> {
  const { config, logger, shutdown } = deps;
  // Loaded before listening, so the first requests are answered from the full host set.
  await deps.liveHosts.start();
  const app = createApp(deps.app);
  const server = createHttpServer({
    fetch: app.fetch,
    timeouts: config.http.timeouts,
    logger,
    defaultHostname: config.http.host,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => {
      server.off('error', reject);
      resolve();
    });
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
