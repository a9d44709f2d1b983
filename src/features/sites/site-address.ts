/**
 * Where deployed sites live: `{subdomain}.{baseDomain}`, with the scheme and port of the
 * service's public URL, so a local run answers at `http://jane.localhost:3000/` and production
 * at `https://jane.rolerabbit.com/` (R-PLAT-3).
 */
export interface SiteAddress {
  readonly baseDomain: string;
  /** The service's public URL (`APP_URL`); its scheme and port are reused for sites. */
  readonly publicUrl: string;
}

/** Lower-case host name of a subdomain site, without a port. */
export function subdomainHost(address: SiteAddress, subdomain: string): string {
  return `${subdomain.toLowerCase()}.${address.baseDomain.toLowerCase()}`;
}

/** Absolute URL (ending in "/") of the site served at `host`. */
export function siteUrlForHost(address: SiteAddress, host: string): string {
  const base = new URL(address.publicUrl);
  const port = base.port === '' ? '' : `:${base.port}`;
  return `${base.protocol}//${host.toLowerCase()}${port}/`;
}

/**
 * The site host a request's Host header names, or undefined when the header is missing or
 * names something else than a site (the API host itself). Ports are ignored.
 */
export function parseSiteHost(
  address: SiteAddress,
  hostHeader: string | undefined,
):
  | { readonly kind: 'subdomain'; readonly subdomain: string }
  | { readonly kind: 'custom'; readonly domain: string }
  | undefined {
  if (hostHeader === undefined) {
    return undefined;
  }
  const host = stripPort(hostHeader.trim().toLowerCase()).replace(/\.$/, '');
  if (host === '' || !/^[a-z0-9.-]+$/.test(host)) {
    return undefined;
  }
  const suffix = `.${address.baseDomain.toLowerCase()}`;
  if (host.endsWith(suffix)) {
    const label = host.slice(0, -suffix.length);
    // Only direct children of the base domain are sites; `a.b.base` is not.
    return label !== '' && !label.includes('.')
      ? { kind: 'subdomain', subdomain: label }
      : undefined;
  }
  const apiHost = new URL(address.publicUrl).hostname.toLowerCase();
  if (host === address.baseDomain.toLowerCase() || host === apiHost || !host.includes('.')) {
    return undefined;
  }
  return { kind: 'custom', domain: host };
}

function stripPort(host: string): string {
  // An IPv6 literal keeps its colons inside brackets; those are never site hosts.
  if (host.startsWith('[')) {
    return '';
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
