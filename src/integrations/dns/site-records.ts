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

/** The DNS side of publishing a portfolio site on its subdomain (R-INT-4). */
export interface SiteRecords {
  hostnameFor(subdomain: string): string;
  /** Idempotent: running it again for the same subdomain changes nothing. */
  upsertSubdomain(subdomain: string): Promise<DnsRecord>;
  /** Removes the subdomain's record; a missing one is fine. */
  removeSubdomain(subdomain: string): Promise<void>;
}

export function createSiteRecords(options: SiteRecordsOptions): SiteRecords {
  const { dns, baseDomain } = options;
  const target = options.target ?? baseDomain;
  const hostnameFor = (subdomain: string) => `${subdomain}.${baseDomain}`;
  return {
    hostnameFor,
    upsertSubdomain(subdomain) {
      // Our serving host, never the storage provider's: a storage host would not answer for
      // an arbitrary Host header.
      return dns.upsertRecord({ type: 'CNAME', name: hostnameFor(subdomain), content: target });
    },
    async removeSubdomain(subdomain) {
      const existing = await dns.findRecord('CNAME', hostnameFor(subdomain));
      if (existing !== undefined) {
        await dns.deleteRecord(existing.id);
      }
    },
  };
}
