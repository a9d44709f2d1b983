import type { DnsProvider, DnsRecord } from './dns-provider.ts';

export interface SiteRecordsOptions {
  readonly dns: DnsProvider;
  /** Sites live at `{subdomain}.{baseDomain}`. */
  readonly baseDomain: string;
  /**
   * The host that serves every site (our own edge or load balancer). Subdomain records are
   * CNAMEs to it. @defaultValue `baseDomain`, whose own record points at the service
   */
  readonly target?: string | undefined;
}

/** The DNS side of publishing a portfolio site on its subdomain (R-INT-4, R-SEC-2). */
export interface SiteRecords {
  hostnameFor(subdomain: string): string;
  /** What every subdomain's CNAME points at. */
  readonly target: string;
  /** The owner key a portfolio's records are marked with: `portfolio=<uuid>`. */
  ownerOf(portfolioId: string): string;
  /** The portfolio an owner key names, or undefined for any other owner (or none). */
  portfolioOf(owner: string | null): string | undefined;
  /**
   * Points the subdomain at the target, as the portfolio's record. Idempotent. Throws
   * DnsRecordConflictError when any other record (another portfolio's, or one we did not
   * create) holds the name.
   */
  upsertSubdomain(subdomain: string, portfolioId: string): Promise<DnsRecord>;
  /** Removes the subdomain's records that are still the portfolio's; returns how many. */
  removeSubdomain(subdomain: string, portfolioId: string): Promise<number>;
}

const PORTFOLIO_OWNER =
  /^portfolio=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function createSiteRecords(options: SiteRecordsOptions): SiteRecords {
  const { dns, baseDomain } = options;
  const target = options.target ?? baseDomain;
  const hostnameFor = (subdomain: string) => `${subdomain}.${baseDomain}`;
  const ownerOf = (portfolioId: string) => `portfolio=${portfolioId.toLowerCase()}`;
  return {
    hostnameFor,
    target,
    ownerOf,
    portfolioOf(owner) {
      return owner === null ? undefined : PORTFOLIO_OWNER.exec(owner)?.[1];
    },
    upsertSubdomain(subdomain, portfolioId) {
      // Our serving host, never the storage provider's: a storage host would not answer for
      // an arbitrary Host header.
      return dns.upsertRecord({
        type: 'CNAME',
        name: hostnameFor(subdomain),
        content: target,
        owner: ownerOf(portfolioId),
      });
    },
    removeSubdomain(subdomain, portfolioId) {
      return dns.deleteOwnedRecords(hostnameFor(subdomain), ownerOf(portfolioId));
    },
  };
}
