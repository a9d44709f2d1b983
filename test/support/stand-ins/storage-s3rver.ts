import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface S3rverStandIn {
  /** Path-style endpoint, e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Where s3rver keeps its buckets, one folder each. */
  readonly directory: string;
  close(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;

async function waitForPort(child: ChildProcess): Promise<number> {
  let output = '';
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`s3rver did not start within ${String(STARTUP_TIMEOUT_MS)} ms: ${output}`));
    }, STARTUP_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${String(code)} before listening: ${output}`));
    });
  });
}

/**
 * A real S3 protocol server (s3rver 3.7) on loopback, storing into a fresh temporary folder.
 * It checks SigV4 signatures, presigned URLs included, so signing mistakes fail here too.
 *
 * It runs as a child process with OpenSSL's legacy provider: s3rver encrypts ListObjectsV2
 * continuation tokens with DES, which Node 20's OpenSSL 3 refuses by default, so any
 * truncated listing would otherwise answer 500.
 */
export async function startS3rver(): Promise<S3rverStandIn> {
  const directory = await mkdtemp(join(tmpdir(), 'rolerabbit-s3rver-'));
  const packageRoot = dirname(createRequire(import.meta.url).resolve('s3rver/package.json'));
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      join(packageRoot, 'bin/s3rver.js'),
      '--directory',
      directory,
      '--address',
      '127.0.0.1',
      '--port',
      '0',
      '--silent',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let port: number;
  try {
    port = await waitForPort(child);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    // s3rver's fixed development credentials.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    directory,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
