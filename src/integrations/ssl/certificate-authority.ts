import { X509Certificate } from 'node:crypto';

/** Where a certificate's private key lives: only ever in storage, never in a return value. */
export interface PrivateKeyRef {
  readonly bucket: 'certificates';
  readonly key: string;
}

export interface IssuedCertificate {
  readonly hostname: string;
  /** The leaf first, then its issuers, as PEM blocks. */
  readonly certificateChainPem: string;
  /** Where the same chain is kept, so any process can serve or renew it later. */
  readonly chainRef: PrivateKeyRef;
  readonly keyRef: PrivateKeyRef;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex, as node's X509Certificate prints it. */
  readonly serialNumber: string;
}

/**
 * Issues TLS certificates for customer hostnames (R-INT-5). Renewing is issuing again: each
 * call makes a fresh key and certificate, and the previous ones stay valid until they expire.
 */
export interface CertificateIssuer {
  /** Throws InvalidInputError for a hostname that is not a lower-case DNS name. */
  issueCertificate(hostname: string): Promise<IssuedCertificate>;
}

/** Renewal starts this long before a certificate's notAfter (issue point 8). */
export const RENEWAL_LEAD_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a renewal of `certificate` becomes due. */
export function renewalDueAt(certificate: Pick<IssuedCertificate, 'notAfter'>): Date {
  return new Date(certificate.notAfter.getTime() - RENEWAL_LEAD_DAYS * DAY_MS);
}

/** The storage key of a leaf's private key: one object per issued certificate. */
export function leafKeyRef(hostname: string, serialNumber: string): PrivateKeyRef {
  return { bucket: 'certificates', key: `${hostname}/${serialNumber}.key.pem` };
}

export function leafChainRef(hostname: string, serialNumber: string): PrivateKeyRef {
  return { bucket: 'certificates', key: `${hostname}/${serialNumber}.chain.pem` };
}

/** The PEM blocks of a chain, in order. */
export function splitPemChain(chainPem: string): string[] {
  return chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Reads the fields we keep from the leaf (first) certificate of a chain. */
export function describeChain(
  hostname: string,
  chainPem: string,
): Omit<IssuedCertificate, 'keyRef' | 'chainRef'> {
  const [leafPem] = splitPemChain(chainPem);
  if (leafPem === undefined) {
    throw new Error('the certificate chain holds no certificate');
  }
  const leaf = new X509Certificate(leafPem);
  return {
    hostname,
    certificateChainPem: chainPem,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    serialNumber: leaf.serialNumber.toLowerCase(),
  };
}
