// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import * as x509 from '@peculiar/x509';

export interface PebbleServer {
  readonly directoryUrl: string;
  /** Trust anchor for pebble's own HTTPS listeners (not the CA it issues from). */
  readonly tlsCaPem: string;
  /** A PEM document from pebble's management API, e.g. `/intermediates/0`. */
  fetchManagementPem(path: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartPebbleOptions {
  /** The port pebble's validation authority fetches HTTP-01 answers from. */
  readonly httpPort: number;
  /** `host:port` of the DNS server pebble resolves identifiers with. */
  readonly dnsServer: string;
}

const ENSURE_PEBBLE = fileURLToPath(new URL('../../../scripts/ensure-pebble.sh', import.meta.url));
const START_DEADLINE_MS = 15_000;

/** Installs pebble through the project's script when missing; returns its binary path. */
async function pebbleBinary(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [ENSURE_PEBBLE], { timeout: 120_000 });
  const binary = stdout.trim().split('\n').at(-1);
  if (binary === undefined || binary === '') {
    throw new Error('scripts/ensure-pebble.sh printed no path');
  }
  return binary;
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') {
    throw new Error('no port');
  }
  return address.port;
}

/**
 * Debian's pebble package ships no TLS certificate for pebble's listeners (upstream keeps
 * them in its test/ folder), so each run makes a self-signed one for 127.0.0.1.
 */
async function createListenerCertificate(): Promise<{ certificatePem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=pebble listener',
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 24 * 60 * 60 * 1000),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ]),
      ],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: certificate.toString('pem'),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
  };
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { ca, timeout: 2_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(killer);
}

/** Starts Debian's pebble ACME test server on loopback and waits for its directory. */
export async function startPebble(options: StartPebbleOptions): Promise<PebbleServer> {
  const binary = await pebbleBinary();
  const folder = await mkdtemp(join(tmpdir(), 'pebble-'));
  const { certificatePem, keyPem } = await createListenerCertificate();
  const [listenPort, managementPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  await writeFile(join(folder, 'cert.pem'), certificatePem);
  await writeFile(join(folder, 'key.pem'), keyPem);
  await writeFile(
    join(folder, 'pebble-config.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${String(listenPort)}`,
        managementListenAddress: `127.0.0.1:${String(managementPort)}`,
        certificate: join(folder, 'cert.pem'),
        privateKey: join(folder, 'key.pem'),
        httpPort: options.httpPort,
        // TLS-ALPN-01 is never offered to us in these tests; the port only has to be valid.
        tlsPort: await freeLoopbackPort(),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const output: string[] = [];
  const child = spawn(
    binary,
    [
      '-config',
      join(folder, 'pebble-config.json'),
      '-dnsserver',
      options.dnsServer,
      '-strict=false',
    ],
    {
      cwd: folder,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    },
  );
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.once('error', (err) => {
    output.push(`could not run ${binary}: ${err.message}`);
  });

  const close = async () => {
    await stop(child);
    await rm(folder, { recursive: true, force: true });
  };
  const directoryUrl = `https://127.0.0.1:${String(listenPort)}/dir`;
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`pebble exited with ${String(child.exitCode)}:\n${output.join('')}`);
    }
    const answer = await httpsGet(directoryUrl, certificatePem).catch(() => undefined);
    if (answer?.status === 200) {
      break;
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(
        `pebble did not answer within ${String(START_DEADLINE_MS)} ms:\n${output.join('')}`,
      );
    }
    await sleep(100);
  }

  return {
    directoryUrl,
    tlsCaPem: certificatePem,
    async fetchManagementPem(path) {
      const answer = await httpsGet(
        `https://127.0.0.1:${String(managementPort)}${path}`,
        certificatePem,
      );
      if (answer.status !== 200) {
        throw new Error(`pebble management ${path} answered ${String(answer.status)}`);
      }
      return answer.body;
    },
    close,
  };
}
