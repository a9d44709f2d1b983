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

/** A request host that names a site: a child of the base domain, or a possible custom domain. */
export type SiteHost =
  | { readonly kind: 'subdomain'; readonly subdomain: string }
  | { readonly kind: 'custom'; readonly domain: string };

/** Lower-case host name of a subdomain site, without a port. */
export function subdomainHost(address: SiteAddress, subdomain: string): string {
  return `${subdomain.toLowerCase()}.${address.baseDomain.toLowerCase()}`;
}

/** The host name a site is cached and purged under (lower-case, no port). */
export function siteHostName(address: SiteAddress, host: SiteHost): string {
  return host.kind === 'subdomain' ? subdomainHost(address, host.subdomain) : host.domain;
}

/** Absolute URL (ending in "/") of the site served at `host`. */
export function siteUrlForHost(address: SiteAddress, host: string): string {
  const base = new URL(address.publicUrl);
  const port = base.port === '' ? '' : `:${base.port}`;
  return `${base.protocol}//${host.toLowerCase()}${port}/`;
}

const MAX_HOST_LENGTH = 253;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
// A name, an optional root dot, and an optional numeric port. Anything else (IPv6 literals,
// user info, underscores, spaces) is not a host we serve sites at.
const HOST_HEADER = /^([a-z0-9.-]+?)\.?(?::\d{1,5})?$/;

/**
 * The site host a request's Host header names, or undefined when the header is missing or
 * names something that is not a site: the API's own host, the bare base domain, a name
 * without a dot (`localhost`, a container name) or an IP address, which is how probes and
 * internal callers reach the API. Ports and a trailing root dot are ignored.
 *
 * A `custom` answer is only a candidate: whether a verified custom domain exists is for the
 * caller to look up.
 */
export function parseSiteHost(
  address: SiteAddress,
  hostHeader: string | undefined,
): SiteHost | undefined {
  const host = hostNameOf(hostHeader);
  if (host === undefined) {
    return undefined;
  }
  const baseDomain = address.baseDomain.toLowerCase();
  // Checked first: the API may itself live under the base domain (`api.rolerabbit.com`).
  const apiHost = new URL(address.publicUrl).hostname.toLowerCase();
  if (host === apiHost || host === baseDomain) {
    return undefined;
  }
  const suffix = `.${baseDomain}`;
  if (host.endsWith(suffix)) {
    const label = host.slice(0, -suffix.length);
    // Only direct children of the base domain are sites; `a.b.base` is not.
    return label.includes('.') ? undefined : { kind: 'subdomain', subdomain: label };
  }
  const labels = host.split('.');
  const topLabel = labels[labels.length - 1] ?? '';
  // A top-level label is never all digits, so this also keeps IPv4 literals out.
  if (labels.length < 2 || /^\d+$/.test(topLabel)) {
    return undefined;
  }
  return { kind: 'custom', domain: host };
}

/** The lower-case host name without port and root dot, if it is a well-formed DNS name. */
function hostNameOf(hostHeader: string | undefined): string | undefined {
  const match = HOST_HEADER.exec(hostHeader?.trim().toLowerCase() ?? '');
  const host = match?.[1];
  if (host === undefined || host.length > MAX_HOST_LENGTH) {
    return undefined;
  }
  return host.split('.').every((label) => DNS_LABEL.test(label)) ? host : undefined;
}
