// A `work` process of its own for the worker-crash test: the deployment jobs only, configured
// from the environment the test passes, with short lock timings given as arguments. It
// prints "ready" once its workers are connected; the test then SIGKILLs it mid-deployment.
import { loadConfig, readEnvironment } from '../../src/config/env.ts';
import { bullRedisOptions } from '../../src/jobs/create-bull-connection.ts';
import { startWorkers } from '../../src/jobs/start-workers.ts';
import { createDeps } from '../../src/wiring/create-deps.ts';
import { createLogger } from '../../src/wiring/create-logger.ts';
import { DEPLOYMENT_TEST_CATALOG, wireDeployments } from './deployment-wiring.ts';

const [lockDurationArg = '2000', stalledIntervalArg = '1000'] = process.argv.slice(2);
const config = loadConfig(readEnvironment());
const logger = createLogger(config);
const deps = createDeps(config, logger);
const wiring = wireDeployments(deps, { uploadConcurrency: 2 });

const workers = startWorkers({
  catalog: DEPLOYMENT_TEST_CATALOG,
  handlers: wiring.handlers,
  connection: bullRedisOptions({ url: config.redis.url, role: 'worker' }),
  prefix: config.jobs.prefix,
  concurrency: { deployments: 1, pdf: 1, webhooks: 1 },
  logger,
  workerSettings: {
    lockDuration: Number(lockDurationArg),
    stalledInterval: Number(stalledIntervalArg),
  },
});
await workers.waitUntilReady();
process.stdout.write('ready\n');
