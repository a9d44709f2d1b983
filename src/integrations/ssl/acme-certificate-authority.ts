import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';

import * as acme from 'acme-client';

import { IntegrationFailure } from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { Storage } from '../storage/storage.ts';
import type { AcmeChallengeStore } from './acme-challenge-store.ts';
import {
  type AcmeRequestScope,
  classifyAcmeFailure,
  isStatusVerdict,
  prepareAcmeAxios,
  runInAcmeScope,
} from './acme-request-scope.ts';
import {
  type CertificateIssuer,
  describeChain,
  type IssuedCertificate,
  leafChainRef,
  leafKeyRef,
} from './certificate-authority.ts';
import { assertCertificateHostname } from './certificate-hostname.ts';
import { coalesce, findOrCreatePem, putPem } from './certificate-storage.ts';

export interface AcmeCertificateAuthorityOptions {
  /** The ACME directory; config picks Let's Encrypt staging or production. */
  readonly directoryUrl: string;
  /** The ACME account's contact address. */
  readonly accountEmail: string;
  /** Holds the account key and every leaf key, in the `certificates` bucket. */
  readonly storage: Storage;
  /** Where HTTP-01 key authorizations wait for the CA (see acme-challenge.routes.ts). */
  readonly challenges: AcmeChallengeStore;
  /** The `ssl` integration's resilient call. */
  readonly call: ResilientCall;
  /**
   * Extra CA certificates (PEM) trusted, beside the usual roots, for the ACME server's TLS
   * only, e.g. a test CA's. @defaultValue none
   */
  readonly caBundlePem?: string;
  /** First wait between status polls, doubling up to 20 s. @defaultValue 2000 (ms) */
  readonly pollIntervalMs?: number;
}

const POLL_ATTEMPTS = 8;
const POLL_MAX_MS = 20_000;
const STILL_PENDING = 'Operation is pending or processing';
/** Let's Encrypt refuses a common name longer than this; the SAN alone then names the host. */
const MAX_COMMON_NAME_LENGTH = 64;

/**
 * A final "invalid" means the CA could not fetch our answer (DNS not pointing at us, a
 * firewall): retrying at once cannot help, a later renewal run may. Polling that ran out
 * while the CA was still working is worth another attempt.
 */
function validationFailure(hostname: string, err: Error): IntegrationFailure {
  if (err.message === STILL_PENDING) {
    return new IntegrationFailure('ssl', `ACME validation of ${hostname} is still pending`, {
      kind: 'retryable',
      cause: err,
    });
  }
  return new IntegrationFailure(
    'ssl',
    `ACME validation of ${hostname} failed: ${challengeErrorDetail(err.message)}`,
    { kind: 'rejected', cause: err },
  );
}

/** acme-client reports an invalid authorization as its JSON; the challenge error says why. */
function challengeErrorDetail(message: string): string {
  try {
    const authorization = JSON.parse(message) as {
      challenges?: readonly { error?: { detail?: unknown } }[];
    };
    const detail = authorization.challenges
      ?.map((challenge) => challenge.error?.detail)
      .find((found) => typeof found === 'string');
    return typeof detail === 'string' ? detail : message;
  } catch {
    return message;
  }
}

/** The account key's storage key: one account per ACME directory. */
function accountKeyObjectKey(directoryUrl: string): string {
  const digest = createHash('sha256').update(directoryUrl).digest('hex').slice(0, 16);
  return `acme-accounts/${digest}.key.pem`;
}

/**
 * Certificates from an ACME CA (Let's Encrypt by default) through HTTP-01: the CA fetches
 * the key authorization from `/.well-known/acme-challenge/<token>` on the hostname, which
 * must already resolve to our API. One issuance is one `ssl` call: a retry starts a new
 * order, which ACME allows, rather than resuming a half-done one.
 */
export function createAcmeCertificateAuthority(
  options: AcmeCertificateAuthorityOptions,
): CertificateIssuer {
  const { directoryUrl, accountEmail, storage, challenges, call } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const httpsAgent =
    options.caBundlePem === undefined
      ? undefined
      : new Agent({ ca: [...rootCertificates, options.caBundlePem] });
  const loadAccountKey = coalesce(() =>
    findOrCreatePem(storage, accountKeyObjectKey(directoryUrl), async () =>
      (await acme.crypto.createPrivateEcdsaKey()).toString('utf8'),
    ),
  );

  async function step<T>(scope: AcmeRequestScope, name: string, run: () => Promise<T>): Promise<T> {
    scope.lastResponse = undefined;
    scope.networkError = undefined;
    try {
      return await run();
    } catch (err) {
      throw classifyAcmeFailure(err, scope, name);
    }
  }

  async function answerHttpChallenge(
    scope: AcmeRequestScope,
    client: acme.Client,
    authorization: acme.Authorization,
  ): Promise<void> {
    if (authorization.status === 'valid') {
      return;
    }
    const hostname = authorization.identifier.value;
    const challenge = authorization.challenges.find((offered) => offered.type === 'http-01');
    if (challenge === undefined) {
      throw new IntegrationFailure(
        'ssl',
        `the ACME CA offers no http-01 challenge for ${hostname}`,
        {
          kind: 'rejected',
        },
      );
    }
    const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
    await challenges.set(challenge.token, keyAuthorization);
    try {
      await step(scope, 'challenge', () => client.completeChallenge(challenge));
      await step(scope, 'validation', () => client.waitForValidStatus(authorization)).catch(
        (err: unknown) => {
          throw isStatusVerdict(err, scope) ? validationFailure(hostname, err) : err;
        },
      );
    } finally {
      // Best effort: the entry expires on its own, and a failed cleanup must not fail an
      // issuance that succeeded.
      await challenges.remove(challenge.token).catch(() => undefined);
    }
  }

  async function issue(hostname: string, scope: AcmeRequestScope): Promise<IssuedCertificate> {
    const client = new acme.Client({
      directoryUrl,
      accountKey: await loadAccountKey(),
      backoffAttempts: POLL_ATTEMPTS,
      backoffMin: pollIntervalMs,
      backoffMax: POLL_MAX_MS,
    });
    await step(scope, 'account', () =>
      client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${accountEmail}`] }),
    );
    const order = await step(scope, 'order', () =>
      client.createOrder({ identifiers: [{ type: 'dns', value: hostname }] }),
    );
    const authorizations = await step(scope, 'authorizations', () =>
      client.getAuthorizations(order),
    );
    for (const authorization of authorizations) {
      await answerHttpChallenge(scope, client, authorization);
    }
    const [keyPem, csr] = await acme.crypto.createCsr(
      {
        altNames: [hostname],
        ...(hostname.length <= MAX_COMMON_NAME_LENGTH ? { commonName: hostname } : {}),
      },
      await acme.crypto.createPrivateEcdsaKey(),
    );
    const finalized = await step(scope, 'finalize', () => client.finalizeOrder(order, csr));
    const chainPem = await step(scope, 'download', () => client.getCertificate(finalized));
    const described = describeChain(hostname, chainPem);
    const keyRef = leafKeyRef(hostname, described.serialNumber);
    scope.signal.throwIfAborted();
    await putPem(storage, keyRef.key, keyPem.toString('utf8'));
    const chainRef = leafChainRef(hostname, described.serialNumber);
    await putPem(storage, chainRef.key, described.certificateChainPem);
    return { ...described, keyRef, chainRef };
  }

  return {
    async issueCertificate(hostname) {
      assertCertificateHostname(hostname);
      prepareAcmeAxios(acme.axios);
      return call('issueCertificate', (signal) => {
        const scope: AcmeRequestScope = { signal, httpsAgent };
        return runInAcmeScope(scope, () => issue(hostname, scope));
      });
    },
  };
}
