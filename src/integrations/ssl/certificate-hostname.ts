import { InvalidInputError } from '../../errors/app-error.ts';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_HOSTNAME_LENGTH = 253;

function problemWith(hostname: string): string | undefined {
  if (hostname.length === 0 || hostname.length > MAX_HOSTNAME_LENGTH) {
    return `must be 1 to ${String(MAX_HOSTNAME_LENGTH)} characters`;
  }
  if (hostname.includes('*')) {
    return 'wildcard certificates are not issued';
  }
  if (hostname !== hostname.toLowerCase()) {
    return 'must be lower case';
  }
  const labels = hostname.split('.');
  if (labels.length < 2) {
    return 'must have at least two labels, such as example.com';
  }
  if (!labels.every((label) => LABEL.test(label))) {
    return 'each dot-separated label must be 1-63 letters, digits or inner hyphens';
  }
  // An all-digit last label would make an IP address pass as a name.
  if (/^[0-9]+$/.test(labels.at(-1) ?? '')) {
    return 'must be a DNS name, not an IP address';
  }
  return undefined;
}

/**
 * Checks that `hostname` is a name a certificate can be issued for: a lower-case DNS name
 * with at least two labels and no wildcard. The two-label rule also keeps customer
 * hostnames apart from the single-word storage folders the certificate authorities use.
 */
export function assertCertificateHostname(hostname: string): void {
  const problem = problemWith(hostname);
  if (problem !== undefined) {
    throw new InvalidInputError('request.invalid', `Cannot issue a certificate for this host.`, {
      fieldIssues: [{ path: 'hostname', message: problem }],
    });
  }
}
