import { type Kysely, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';

// The certificate lease of a custom domain (migration 0008): who may issue now, and the
// write that records what was issued. Times come from the database clock, which every
// worker shares.
type Db = Kysely<Database>;

/** Took the lease, or found another holder's lease that runs until `until`. */
export type LeaseOutcome =
  { readonly taken: true } | { readonly taken: false; readonly until: Date };

/** Takes the domain's certificate lease for `leaseMs` unless another live lease holds it. */
export async function takeCertificateLease(
  db: Db,
  domainId: string,
  token: string,
  leaseMs: number,
): Promise<LeaseOutcome> {
  const taken = await db
    .updateTable('custom_domains')
    .set({
      certificate_lease_token: token,
      certificate_lease_until: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`,
    })
    .where('id', '=', domainId)
    .where((eb) =>
      eb.or([
        eb('certificate_lease_until', 'is', null),
        eb('certificate_lease_until', '<=', sql<Date>`now()`),
      ]),
    )
    .returning('id')
    .executeTakeFirst();
  if (taken !== undefined) {
    return { taken: true };
  }
  const held = await db
    .selectFrom('custom_domains')
    .select('certificate_lease_until')
    .where('id', '=', domainId)
    .executeTakeFirst();
  return { taken: false, until: held?.certificate_lease_until ?? new Date() };
}

/** Gives the lease back after a failed issuance, so a retry need not wait for it to lapse. */
export async function releaseCertificateLease(
  db: Db,
  domainId: string,
  token: string,
): Promise<void> {
  await db
    .updateTable('custom_domains')
    .set({ certificate_lease_token: null, certificate_lease_until: null })
    .where('id', '=', domainId)
    .where('certificate_lease_token', '=', token)
    .execute();
}

/**
 * Records the certificate and ends the lease, only while `token` still holds it. False when
 * the lease lapsed and another run took it: that run's certificate is the one to keep.
 */
export async function recordDomainCertificate(
  db: Db,
  domainId: string,
  token: string,
  certificate: {
    readonly chainKey: string;
    readonly keyKey: string;
    readonly notAfter: Date;
  },
): Promise<boolean> {
  const row = await db
    .updateTable('custom_domains')
    .set({
      certificate_chain_key: certificate.chainKey,
      certificate_key_key: certificate.keyKey,
      certificate_not_after: certificate.notAfter,
      certificate_lease_token: null,
      certificate_lease_until: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', domainId)
    .where('certificate_lease_token', '=', token)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
