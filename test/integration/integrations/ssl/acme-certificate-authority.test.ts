import { createPrivateKey, createPublicKey, randomUUID, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { serve, type ServerType } from '@hono/node-server';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import { acmeChallengeRoutes } from '../../../../src/http/routes/acme-challenge.routes.ts';
import {
  IntegrationFailure,
  IntegrationUnavailableError,
} from '../../../../src/integrations/resilience/integration-errors.ts';
import { createIntegration } from '../../../../src/integrations/resilience/resilient-call.ts';
import { createAcmeCertificateAuthority } from '../../../../src/integrations/ssl/acme-certificate-authority.ts';
import type { AcmeChallengeStore } from '../../../../src/integrations/ssl/acme-challenge-store.ts';
import { splitPemChain } from '../../../../src/integrations/ssl/certificate-authority.ts';
import { createRedisAcmeChallengeStore } from '../../../../src/integrations/ssl/redis-acme-challenge-store.ts';
import { createMemoryStorage, type MemoryStorage } from '../../../support/fakes/memory-storage.ts';
import {
  type PebbleDnsServer,
  startPebbleDnsServer,
} from '../../../support/stand-ins/pebble-dns-server.ts';
import { type PebbleServer, startPebble } from '../../../support/stand-ins/pebble-server.ts';
import { startScriptedHttpServer } from '../../../support/stand-ins/scripted-http-server.ts';
import { createSslCall } from './ssl-test-integration.ts';

const HOSTNAME = 'site.rolerabbit.test';
const SECOND_HOSTNAME = 'www.rolerabbit.test';
const UNRESOLVED_HOSTNAME = 'nowhere.rolerabbit.test';

let redis: Redis;
let keyPrefix: string;
let challenges: AcmeChallengeStore;
const challengeTokens: string[] = [];
const challengeRequests: string[] = [];
let challengeServer: ServerType | undefined;
let dns: PebbleDnsServer | undefined;
let startedPebble: PebbleServer | undefined;

/** Pebble, once beforeAll has started it. */
function pebble(): PebbleServer {
  if (startedPebble === undefined) {
    throw new Error('pebble did not start');
  }
  return startedPebble;
}

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  keyPrefix = `test:acme-challenge:${randomUUID()}:`;
  const store = createRedisAcmeChallengeStore({ redis, keyPrefix });
  challenges = {
    ...store,
    async set(token, keyAuthorization) {
      challengeTokens.push(token);
      await store.set(token, keyAuthorization);
    },
  };
  const routes = acmeChallengeRoutes({ challenges: store });
  const server = serve({
    fetch: (request) => {
      challengeRequests.push(new URL(request.url).pathname);
      return routes.fetch(request);
    },
    hostname: '127.0.0.1',
    port: 0,
  });
  challengeServer = server;
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const httpPort = (server.address() as AddressInfo).port;
  dns = await startPebbleDnsServer({ [HOSTNAME]: '127.0.0.1', [SECOND_HOSTNAME]: '127.0.0.1' });
  startedPebble = await startPebble({ httpPort, dnsServer: dns.address });
}, 60_000);

afterAll(async () => {
  await startedPebble?.close();
  await dns?.close();
  const server = challengeServer;
  if (server !== undefined) {
    await new Promise((resolve) => server.close(resolve));
  }
  const leftovers = await redis.keys(`${keyPrefix}*`);
  if (leftovers.length > 0) {
    await redis.del(...leftovers);
  }
  redis.disconnect();
});

function createAuthority(storage: MemoryStorage) {
  return createAcmeCertificateAuthority({
    directoryUrl: pebble().directoryUrl,
    accountEmail: 'ops@rolerabbit.test',
    storage,
    challenges,
    call: createSslCall().call,
    caBundlePem: pebble().tlsCaPem,
    pollIntervalMs: 50,
  });
}

describe(createAcmeCertificateAuthority.name, () => {
  it('issues a certificate from pebble through an HTTP-01 challenge served from Redis', async () => {
    const storage = createMemoryStorage();
    const tokensBefore = challengeTokens.length;

    const issued = await createAuthority(storage).issueCertificate(HOSTNAME);

    const [leafPem, issuerPem] = splitPemChain(issued.certificateChainPem);
    const leaf = new X509Certificate(leafPem!);
    const intermediate = new X509Certificate(await pebble().fetchManagementPem('/intermediates/0'));
    expect(new X509Certificate(issuerPem!).fingerprint256).toBe(intermediate.fingerprint256);
    expect(leaf.checkIssued(intermediate)).toBe(true);
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe(`DNS:${HOSTNAME}`);
    expect(issued.notAfter.getTime()).toBe(new Date(leaf.validTo).getTime());
    expect(issued.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(issued.serialNumber).toBe(leaf.serialNumber.toLowerCase());
    const token = challengeTokens.at(-1)!;
    expect(challengeTokens.length).toBe(tokensBefore + 1);
    expect(challengeRequests).toContain(`/.well-known/acme-challenge/${token}`);
    expect(dns!.questions).toContain(`A ${HOSTNAME}`);
    expect(await redis.exists(`${keyPrefix}${token}`)).toBe(0);
  });

  it('keeps the leaf private key in storage, matching the certificate', async () => {
    const storage = createMemoryStorage();

    const issued = await createAuthority(storage).issueCertificate(SECOND_HOSTNAME);

    expect(issued.keyRef).toEqual({
      bucket: 'certificates',
      key: `${SECOND_HOSTNAME}/${issued.serialNumber}.key.pem`,
    });
    const keyPem = storage.readText('certificates', issued.keyRef.key)!;
    const leaf = new X509Certificate(splitPemChain(issued.certificateChainPem)[0]!);
    const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    expect(spki).toEqual(leaf.publicKey.export({ type: 'spki', format: 'der' }));
    expect(JSON.stringify(issued)).not.toContain('PRIVATE KEY');
  });

  it('creates the account key once and renews with the same account', async () => {
    const storage = createMemoryStorage();
    const authority = createAuthority(storage);

    const first = await authority.issueCertificate(HOSTNAME);
    const accountKeys = storage
      .keys('certificates')
      .filter((key) => key.startsWith('acme-accounts/'));
    const accountKey = storage.readText('certificates', accountKeys[0]!);
    const renewed = await authority.issueCertificate(HOSTNAME);

    expect(accountKeys).toHaveLength(1);
    expect(storage.keys('certificates').filter((key) => key.startsWith('acme-accounts/'))).toEqual(
      accountKeys,
    );
    expect(storage.readText('certificates', accountKeys[0]!)).toBe(accountKey);
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    expect(storage.keys('certificates')).toEqual(
      [
        accountKeys[0]!,
        ...[first, renewed].flatMap((issued) => [issued.keyRef.key, issued.chainRef.key]),
      ].sort(),
    );
  });

  it('fails as rejected, and removes the challenge, when the CA cannot validate', async () => {
    const storage = createMemoryStorage();
    const tokensBefore = challengeTokens.length;

    const failure = await createAuthority(storage)
      .issueCertificate(UNRESOLVED_HOSTNAME)
      .catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationFailure);
    expect(failure).toMatchObject({ kind: 'rejected', integration: 'ssl' });
    expect(challengeTokens.length).toBe(tokensBefore + 1);
    expect(await redis.exists(`${keyPrefix}${challengeTokens.at(-1)!}`)).toBe(0);
    expect(storage.keys('certificates').some((key) => key.startsWith(UNRESOLVED_HOSTNAME))).toBe(
      false,
    );
  });

  it('refuses an invalid hostname before contacting the CA', async () => {
    const storage = createMemoryStorage();

    await expect(
      createAuthority(storage).issueCertificate('*.rolerabbit.test'),
    ).rejects.toBeInstanceOf(InvalidInputError);

    expect(storage.keys('certificates')).toEqual([]);
  });

  it('does not trust the ACME server without the CA bundle it was given', async () => {
    const authority = createAcmeCertificateAuthority({
      directoryUrl: pebble().directoryUrl,
      accountEmail: 'ops@rolerabbit.test',
      storage: createMemoryStorage(),
      challenges,
      call: createSslCall().call,
    });

    const failure = await authority.issueCertificate(HOSTNAME).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationUnavailableError);
    // The TLS reason is kept for the logs in `cause`, not in the message callers may see.
    expect(((failure as Error).cause as Error).message).toMatch(/self.signed|certificate/i);
  });

  it('leaves retrying to the ssl policy: one request per attempt on a 503', async () => {
    const server = await startScriptedHttpServer({
      status: 503,
      body: '{"type":"urn:ietf:params:acme:error:serverInternal","detail":"down"}',
    });
    try {
      const authority = createAcmeCertificateAuthority({
        directoryUrl: `${server.url}/directory`,
        accountEmail: 'ops@rolerabbit.test',
        storage: createMemoryStorage(),
        challenges,
        call: createSslCall().call,
      });

      const failure = await authority.issueCertificate(HOSTNAME).catch((err: unknown) => err);

      expect(failure).toBeInstanceOf(IntegrationUnavailableError);
      expect(server.requests.map((request) => request.url)).toEqual(['/directory', '/directory']);
    } finally {
      await server.close();
    }
  });

  it('aborts the in-flight ACME request when the attempt times out', async () => {
    const server = await startScriptedHttpServer({ hang: true });
    try {
      const { call } = createIntegration(
        'ssl',
        {
          breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
          retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 10 },
          timeoutMs: 200,
        },
        { logger: pino({ level: 'silent' }) },
      );
      const authority = createAcmeCertificateAuthority({
        directoryUrl: `${server.url}/directory`,
        accountEmail: 'ops@rolerabbit.test',
        storage: createMemoryStorage(),
        challenges,
        call,
      });

      const failure = await authority.issueCertificate(HOSTNAME).catch((err: unknown) => err);

      expect(failure).toBeInstanceOf(IntegrationUnavailableError);
      expect(server.requests).toHaveLength(1);
      await server.requests[0]!.closedByClient;
    } finally {
      await server.close();
    }
  });
});
