import type { Logger } from 'pino';

export interface Shutdown {
  /** Registers something to close; closers run in reverse order of registration. */
  register(name: string, close: () => Promise<void>): void;
  /** Closes everything once, within the grace period; later calls share the first run. */
  run(reason: string): Promise<void>;
}

export function createShutdown(options: { readonly logger: Logger; readonly graceMs: number }) {
  const { logger, graceMs } = options;
  const closers: { readonly name: string; readonly close: () => Promise<void> }[] = [];
  let running: Promise<void> | undefined;

  async function closeAll(): Promise<void> {
    for (const { name, close } of [...closers].reverse()) {
      try {
        await close();
        logger.debug({ resource: name }, 'closed');
      } catch (err) {
        logger.warn({ err, resource: name }, 'close failed');
      }
    }
  }

  const shutdown: Shutdown = {
    register(name, close) {
      closers.push({ name, close });
    },
    run(reason) {
      running ??= (async () => {
        logger.info({ reason, graceMs }, 'shutting down');
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => {
            resolve('timeout');
          }, graceMs);
        });
        const outcome = await Promise.race([closeAll().then(() => 'done' as const), deadline]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          logger.warn({ graceMs }, 'grace period over before everything closed');
        }
      })();
      return running;
    },
  };
  return shutdown;
}
