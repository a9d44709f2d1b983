import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const REDIS_SERVER = '/usr/bin/redis-server';
const READY_TIMEOUT_MS = 5_000;

export interface RedisServerProcess {
  readonly port: number;
  /** `redis://` or, with TLS, `rediss://`. */
  readonly url: string;
  /** Kills the server at once (SIGKILL), like a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** The self-signed certificate, to trust as a CA. */
  readonly certificate: string;
  remove(): Promise<void>;
}

async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') {
    throw new Error('no port');
  }
  return address.port;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid one day. */
export async function createRedisTlsFiles(): Promise<RedisTlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return {
    certFile,
    keyFile,
    certificate: await readFile(certFile, 'utf8'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A redis-server of the test's own on a free loopback port: no persistence, so a restart
 * starts empty. With `tls`, it speaks only TLS and does not ask for client certificates.
 */
export async function startRedisServer(
  options: { readonly tls?: RedisTlsFiles } = {},
): Promise<RedisServerProcess> {
  const port = await findFreePort();
  const { tls } = options;
  const args = [
    ...['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    ...(tls === undefined
      ? ['--port', String(port)]
      : [
          ...['--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no'],
          ...['--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile],
        ]),
  ];
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        reject(new Error(`redis-server did not start on ${String(port)}: ${output}`));
      }, READY_TIMEOUT_MS);
      started.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}: ${output}`));
      });
    });
  }

  async function kill(): Promise<void> {
    const running = child;
    child = undefined;
    if (running?.exitCode !== null || running.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    port,
    url: `${tls === undefined ? 'redis' : 'rediss'}://127.0.0.1:${String(port)}`,
    kill,
    async restart() {
      await kill();
      await start();
    },
    close: kill,
  };
}
