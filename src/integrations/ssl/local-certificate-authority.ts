// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';

import { randomBytes, webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';

import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { Storage } from '../storage/storage.ts';
import {
  type CertificateIssuer,
  describeChain,
  type IssuedCertificate,
  leafChainRef,
  leafKeyRef,
} from './certificate-authority.ts';
import { assertCertificateHostname } from './certificate-hostname.ts';
import { coalesce, findOrCreatePem, findPem, putPem } from './certificate-storage.ts';

export interface LocalCertificateAuthorityOptions {
  /** Holds the CA (certificate + key) and every leaf key, in the `certificates` bucket. */
  readonly storage: Storage;
  /** The `ssl` integration's resilient call. */
  readonly call: ResilientCall;
  /** Lifetime of an issued certificate, in days. @defaultValue 90 */
  readonly validityDays?: number;
  /** The clock. @defaultValue () => new Date() */
  readonly now?: () => Date;
}

/**
 * The CA's certificate and private key live in ONE object, so a creation race between two
 * processes can never leave a key paired with the other process's certificate.
 */
export const LOCAL_CA_OBJECT_KEY = 'local-ca/ca.pem';

const CA_VALIDITY_DAYS = 3650;
const CA_NAME = 'CN=RoleRabbit Local CA, O=RoleRabbit';
const DAY_MS = 24 * 60 * 60 * 1000;
const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const crypto = webcrypto;

interface LoadedCa {
  readonly certificate: x509.X509Certificate;
  readonly certificatePem: string;
  readonly privateKey: webcrypto.CryptoKey;
}

/** A positive 128-bit serial whose first byte is never zero, so its hex form is canonical. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return bytes.toString('hex');
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function createCaPem(now: Date): Promise<string> {
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: CA_NAME,
      notBefore: now,
      notAfter: addDays(now, CA_VALIDITY_DAYS),
      signingAlgorithm: SIGNING_ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return `${certificate.toString('pem')}\n${await privateKeyPem(keys.privateKey)}\n`;
}

async function parseCa(pem: string): Promise<LoadedCa> {
  const blocks = x509.PemConverter.decodeWithHeaders(pem);
  const certificateBlock = blocks.find((block) => block.type === 'CERTIFICATE');
  const keyBlock = blocks.find((block) => block.type === 'PRIVATE KEY');
  if (certificateBlock === undefined || keyBlock === undefined) {
    throw new Error(`${LOCAL_CA_OBJECT_KEY} must hold a CERTIFICATE and a PRIVATE KEY`);
  }
  const certificate = new x509.X509Certificate(certificateBlock.rawData);
  const privateKey = await crypto.subtle.importKey(
    'pkcs8',
    keyBlock.rawData,
    KEY_ALGORITHM,
    false,
    ['sign'],
  );
  return { certificate, certificatePem: certificate.toString('pem'), privateKey };
}

/**
 * A certificate authority of our own (the default SSL_PROVIDER): created on first use and
 * kept in storage, it issues leaf certificates that browsers trust only where its
 * certificate was installed. Meant for development, tests and private deployments.
 */
export function createLocalCertificateAuthority(
  options: LocalCertificateAuthorityOptions,
): CertificateIssuer {
  const { storage, call } = options;
  const validityDays = options.validityDays ?? 90;
  const now = options.now ?? (() => new Date());

  // Read on every issue rather than cached, so processes that raced to create the CA all
  // move to the stored one from their next certificate on.
  const loadCa = coalesce(async (): Promise<LoadedCa> => {
    const ca = await parseCa(
      await findOrCreatePem(storage, LOCAL_CA_OBJECT_KEY, async () => createCaPem(now())),
    );
    if (ca.certificate.notAfter >= addDays(now(), validityDays)) {
      return ca;
    }
    // A CA must outlive what it signs: replace one that would expire first.
    const replacement = await createCaPem(now());
    await putPem(storage, LOCAL_CA_OBJECT_KEY, replacement);
    return parseCa((await findPem(storage, LOCAL_CA_OBJECT_KEY)) ?? replacement);
  });

  async function issue(hostname: string, signal: AbortSignal): Promise<IssuedCertificate> {
    const ca = await loadCa();
    signal.throwIfAborted();
    const keys = await generateKeys();
    const notBefore = now();
    const leaf = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerial(),
        subject: `CN=${hostname}`,
        issuer: ca.certificate.subjectName,
        notBefore,
        notAfter: addDays(notBefore, validityDays),
        signingAlgorithm: SIGNING_ALGORITHM,
        publicKey: keys.publicKey,
        signingKey: ca.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostname }]),
          await x509.AuthorityKeyIdentifierExtension.create(
            ca.certificate.publicKey,
            false,
            crypto,
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    const described = describeChain(hostname, `${leaf.toString('pem')}\n${ca.certificatePem}\n`);
    const keyRef = leafKeyRef(hostname, described.serialNumber);
    signal.throwIfAborted();
    await putPem(storage, keyRef.key, await privateKeyPem(keys.privateKey));
    const chainRef = leafChainRef(hostname, described.serialNumber);
    await putPem(storage, chainRef.key, described.certificateChainPem);
    return { ...described, keyRef, chainRef };
  }

  return {
    async issueCertificate(hostname) {
      assertCertificateHostname(hostname);
      return call('issueCertificate', (signal) => issue(hostname, signal));
    },
  };
}
