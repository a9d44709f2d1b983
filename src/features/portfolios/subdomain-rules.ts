/**
 * Names that stay ours: they are, or may become, hosts of the platform itself, or are
 * commonly abused for phishing when handed to users.
 */
export const RESERVED_SUBDOMAINS: ReadonlySet<string> = new Set([
  'about',
  'account',
  'accounts',
  'admin',
  'analytics',
  'api',
  'app',
  'assets',
  'auth',
  'billing',
  'blog',
  'cdn',
  'dashboard',
  'dev',
  'docs',
  'download',
  'email',
  'files',
  'ftp',
  'help',
  'images',
  'img',
  'imap',
  'internal',
  'localhost',
  'login',
  'mail',
  'media',
  'mx',
  'news',
  'ns1',
  'ns2',
  'pop',
  'portal',
  'preview',
  'prod',
  'rolerabbit',
  'root',
  'security',
  'smtp',
  'sso',
  'staging',
  'static',
  'status',
  'support',
  'test',
  'uploads',
  'webhooks',
  'webmail',
  'www',
]);

export const MIN_SUBDOMAIN_LENGTH = 3;
export const MAX_SUBDOMAIN_LENGTH = 63;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * Why a subdomain is refused, or undefined when it is acceptable (availability aside).
 * `operatorReserved` holds the names the operator keeps besides the built-in list
 * (RESERVED_SUBDOMAINS).
 */
export function findSubdomainProblem(
  subdomain: string,
  operatorReserved: ReadonlySet<string> = NO_NAMES,
): string | undefined {
  if (subdomain.length < MIN_SUBDOMAIN_LENGTH || subdomain.length > MAX_SUBDOMAIN_LENGTH) {
    return `must be ${String(MIN_SUBDOMAIN_LENGTH)}-${String(MAX_SUBDOMAIN_LENGTH)} characters`;
  }
  if (subdomain !== subdomain.toLowerCase()) {
    return 'must be lower-case';
  }
  if (!DNS_LABEL.test(subdomain)) {
    return 'may contain only a-z, 0-9 and inner hyphens';
  }
  // "xn--" labels are punycode; letting users pick them invites look-alike domains.
  if (subdomain.slice(2, 4) === '--') {
    return 'may not have hyphens in the third and fourth positions';
  }
  if (RESERVED_SUBDOMAINS.has(subdomain) || operatorReserved.has(subdomain)) {
    return 'is reserved';
  }
  return undefined;
}
