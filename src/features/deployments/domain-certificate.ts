import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import {
  type CertificateIssuer,
  renewalDueAt,
} from '../../integrations/ssl/certificate-authority.ts';
import type { DeploymentToRun, RunClaim } from './deployment-runs.repository.ts';
import { withOwnedDeployment } from './deployment-runs.repository.ts';
import { requireVerifiedDomain } from './deployment-validation.ts';
import {
  recordDomainCertificate,
  releaseCertificateLease,
  takeCertificateLease,
} from './domain-certificates.repository.ts';

/**
 * How long a run may hold a domain's certificate lease: the SSL integration's whole budget
 * (4 attempts of up to 120 s plus backoff) with room to spare.
 */
export const CERTIFICATE_LEASE_MS = 10 * 60 * 1000;

/** How often a run waiting for another run's issuance looks again. */
const LEASE_POLL_MS = 1_000;

/** Whether a custom domain needs a (new) certificate at `now`. */
export function needsCertificate(
  domain: {
    readonly certificateChainKey: string | null;
    readonly certificateKeyKey: string | null;
    readonly certificateNotAfter: Date | null;
  },
  now: Date,
): boolean {
  if (
    domain.certificateChainKey === null ||
    domain.certificateKeyKey === null ||
    domain.certificateNotAfter === null
  ) {
    return true;
  }
  return renewalDueAt({ notAfter: domain.certificateNotAfter }).getTime() <= now.getTime();
}

export interface DomainCertificateDeps {
  readonly db: Kysely<Database>;
  readonly certificates: CertificateIssuer;
  readonly now: () => Date;
  /** @defaultValue {@link CERTIFICATE_LEASE_MS} */
  readonly certificateLeaseMs?: number;
}

type LeaseStep =
  | { readonly kind: 'current' }
  | { readonly kind: 'leased'; readonly domainId: string }
  | { readonly kind: 'busy'; readonly until: Date };

/**
 * Makes sure the deployment's verified custom domain has a current certificate (R-INT-5).
 * The CA is called with no transaction open (R-SEC-1): a short transaction that holds the
 * deployment takes the domain's lease, the certificate is issued, and one statement records
 * it while the lease still holds. A run that finds another
 * run's lease waits for it to end and then finds the certificate current, so overlapping
 * runs never both issue one.
 */
export async function ensureDomainCertificate(
  deps: DomainCertificateDeps,
  deployment: DeploymentToRun,
  claim: RunClaim,
  domain: string,
  signal: AbortSignal,
): Promise<'current' | 'issued'> {
  const leaseMs = deps.certificateLeaseMs ?? CERTIFICATE_LEASE_MS;
  const token = randomUUID();
  for (;;) {
    const step = await withOwnedDeployment(deps.db, claim, async (trx): Promise<LeaseStep> => {
      const found = await requireVerifiedDomain(trx, deployment.portfolioId, domain, {
        forUpdate: true,
      });
      if (!needsCertificate(found, deps.now())) {
        return { kind: 'current' };
      }
      const lease = await takeCertificateLease(trx, found.id, token, leaseMs);
      return lease.taken
        ? { kind: 'leased', domainId: found.id }
        : { kind: 'busy', until: lease.until };
    });
    if (step.kind === 'current') {
      return 'current';
    }
    if (step.kind === 'busy') {
      const waitMs = Math.min(LEASE_POLL_MS, Math.max(0, step.until.getTime() - Date.now()));
      await sleep(waitMs, undefined, { signal });
      continue;
    }
    let issued;
    try {
      issued = await deps.certificates.issueCertificate(domain);
    } catch (err) {
      await releaseCertificateLease(deps.db, step.domainId, token).catch(() => undefined);
      throw err;
    }
    // Recorded under the lease alone: a certificate this run paid for serves the domain even
    // if a newer run took the deployment over meanwhile (that run then finds it current).
    const recorded = await recordDomainCertificate(deps.db, step.domainId, token, {
      chainKey: issued.chainRef.key,
      keyKey: issued.keyRef.key,
      notAfter: issued.notAfter,
    });
    if (recorded) {
      return 'issued';
    }
    // The lease lapsed and another run took it; look again (it may have recorded one).
  }
}
