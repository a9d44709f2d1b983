import { createRouter } from '../create-router.ts';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(CHECK_TIMEOUT_MS)} ms`));
    }, CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : 'check failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. `/readyz`: it can also reach what it needs to serve. */
export function healthRoutes(deps: { readonly checks: readonly ReadinessCheck[] }) {
  const router = createRouter();
  router.get('/healthz', (c) => c.json({ status: 'ok' }));
  router.get('/readyz', async (c) => {
    const results = await Promise.all(
      deps.checks.map(async (check) => [check.name, await runCheck(check)] as const),
    );
    const ready = results.every(([, result]) => result.ok);
    c.header('cache-control', 'no-store');
    return c.json(
      { status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) },
      ready ? 200 : 503,
    );
  });
  return router;
}
