import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';

import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import {
  type IssuedCertificate,
  renewalDueAt,
  splitPemChain,
} from '../../../../src/integrations/ssl/certificate-authority.ts';
import {
  createLocalCertificateAuthority,
  LOCAL_CA_OBJECT_KEY,
} from '../../../../src/integrations/ssl/local-certificate-authority.ts';
import { createMemoryStorage, type MemoryStorage } from '../../../support/fakes/memory-storage.ts';
import { createSslCall } from './ssl-test-integration.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

function setUp(options: { now?: () => Date; validityDays?: number; storage?: MemoryStorage } = {}) {
  const storage = options.storage ?? createMemoryStorage();
  const authority = createLocalCertificateAuthority({
    storage,
    call: createSslCall().call,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.validityDays === undefined ? {} : { validityDays: options.validityDays }),
  });
  return { storage, authority };
}

function chainOf(issued: IssuedCertificate): { leaf: X509Certificate; ca: X509Certificate } {
  const [leafPem, caPem, ...rest] = splitPemChain(issued.certificateChainPem);
  expect(rest).toEqual([]);
  return { leaf: new X509Certificate(leafPem!), ca: new X509Certificate(caPem!) };
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

describe(createLocalCertificateAuthority.name, () => {
  it('issues a leaf for the hostname, signed by its own CA, valid for 90 days', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const { authority } = setUp({ now: () => now });

    const issued = await authority.issueCertificate('site.example.com');

    const { leaf, ca } = chainOf(issued);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.subjectAltName).toBe('DNS:site.example.com');
    expect(leaf.keyUsage).toEqual([SERVER_AUTH]);
    expect(new Date(leaf.validTo).getTime()).toBe(now.getTime() + 90 * DAY_MS);
    expect(issued.notAfter.getTime()).toBe(now.getTime() + 90 * DAY_MS);
    expect(issued.notBefore.getTime()).toBe(now.getTime());
    expect(issued.serialNumber).toBe(leaf.serialNumber.toLowerCase());
    expect(renewalDueAt(issued).getTime()).toBe(now.getTime() + 60 * DAY_MS);
  });

  it('keeps the private key in storage only, matching the certificate public key', async () => {
    const { storage, authority } = setUp();

    const issued = await authority.issueCertificate('keys.example.com');

    expect(storage.readText('certificates', issued.chainRef.key)).toBe(issued.certificateChainPem);
    expect(issued.keyRef).toEqual({
      bucket: 'certificates',
      key: `keys.example.com/${issued.serialNumber}.key.pem`,
    });
    const keyPem = storage.readText('certificates', issued.keyRef.key);
    expect(keyPem).toContain('-----BEGIN PRIVATE KEY-----');
    const { leaf } = chainOf(issued);
    expect(spki(createPublicKey(createPrivateKey(keyPem!)))).toEqual(spki(leaf.publicKey));
    expect(JSON.stringify(issued)).not.toContain('PRIVATE KEY');
  });

  it('serves a TLS handshake that verifies against the CA for that hostname', async () => {
    const { storage, authority } = setUp();
    const issued = await authority.issueCertificate('tls.example.com');
    const { ca } = chainOf(issued);
    const server = createServer(
      {
        cert: issued.certificateChainPem,
        key: storage.readText('certificates', issued.keyRef.key)!,
      },
      (_request, response) => response.end('ok'),
    ).listen(0, '127.0.0.1');
    await once(server, 'listening');

    try {
      const { port } = server.address() as AddressInfo;
      const socket = connect({
        host: '127.0.0.1',
        port,
        servername: 'tls.example.com',
        ca: ca.toString(),
      });
      await once(socket, 'secureConnect');
      expect(socket.authorized).toBe(true);
      socket.destroy();
      const wrongName = connect({
        host: '127.0.0.1',
        port,
        servername: 'other.example.com',
        ca: ca.toString(),
      });
      const [error] = (await once(wrongName, 'error')) as [NodeJS.ErrnoException];
      expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      server.close();
    }
  });

  it('creates the CA once and signs every later certificate with it', async () => {
    const { storage, authority } = setUp();

    const first = await authority.issueCertificate('one.example.com');
    const second = await authority.issueCertificate('two.example.com');
    const renewed = await authority.issueCertificate('one.example.com');

    expect(chainOf(second).ca.fingerprint256).toBe(chainOf(first).ca.fingerprint256);
    expect(chainOf(renewed).ca.fingerprint256).toBe(chainOf(first).ca.fingerprint256);
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    expect(storage.keys('certificates')).toEqual(
      [
        LOCAL_CA_OBJECT_KEY,
        ...[first, renewed, second].flatMap((issued) => [issued.keyRef.key, issued.chainRef.key]),
      ].sort(),
    );
  });

  it('creates one CA when first uses run concurrently in one process', async () => {
    const { authority } = setUp();

    const issued = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((label) => authority.issueCertificate(`${label}.example.com`)),
    );

    const fingerprints = new Set(issued.map((one) => chainOf(one).ca.fingerprint256));
    expect(fingerprints.size).toBe(1);
  });

  it('converges on the stored CA when two processes race to create it', async () => {
    const storage = createMemoryStorage();
    const first = setUp({ storage }).authority;
    const second = setUp({ storage }).authority;

    await Promise.all([
      first.issueCertificate('race-1.example.com'),
      second.issueCertificate('race-2.example.com'),
    ]);
    const later = await Promise.all([
      first.issueCertificate('after-1.example.com'),
      second.issueCertificate('after-2.example.com'),
    ]);

    const storedCa = new X509Certificate(storage.readText('certificates', LOCAL_CA_OBJECT_KEY)!);
    for (const issued of later) {
      expect(chainOf(issued).ca.fingerprint256).toBe(storedCa.fingerprint256);
    }
  });

  it('issues for the configured number of days', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const { authority } = setUp({ now: () => now, validityDays: 30 });

    const issued = await authority.issueCertificate('short.example.com');

    expect(issued.notAfter.getTime()).toBe(now.getTime() + 30 * DAY_MS);
  });

  it('replaces a CA that would expire before the new certificate', async () => {
    const storage = createMemoryStorage();
    const start = new Date(Math.floor(Date.now() / 1000) * 1000);
    const early = await setUp({ storage, now: () => start }).authority.issueCertificate(
      'early.example.com',
    );
    const nearCaExpiry = new Date(start.getTime() + 3640 * DAY_MS);

    const late = await setUp({ storage, now: () => nearCaExpiry }).authority.issueCertificate(
      'late.example.com',
    );

    const { leaf, ca } = chainOf(late);
    expect(ca.fingerprint256).not.toBe(chainOf(early).ca.fingerprint256);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(new Date(ca.validTo).getTime()).toBeGreaterThan(late.notAfter.getTime());
  });

  it.each([
    'Site.Example.com',
    '*.example.com',
    'localhost',
    '10.0.0.1',
    'a..example.com',
    '-bad.example.com',
    'bad-.example.com',
    'under_score.example.com',
    'example.com.',
    `${'a'.repeat(64)}.example.com`,
    '',
  ])('rejects %j as InvalidInputError without touching storage', async (hostname) => {
    const { storage, authority } = setUp();

    await expect(authority.issueCertificate(hostname)).rejects.toBeInstanceOf(InvalidInputError);

    expect(storage.keys('certificates')).toEqual([]);
  });
});
