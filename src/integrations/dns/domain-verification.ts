import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Resolver } from 'node:dns/promises';

import { InvalidInputError } from '../../errors/app-error.ts';
import { IntegrationFailure } from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import { parseHostName } from './parse-record-input.ts';

/** The label under which customers publish their token: `_rolerabbit-verification.<domain>`. */
export const VERIFICATION_LABEL = '_rolerabbit-verification';

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;
/** The name has no TXT records, or does not exist: an answer, not a failure. */
const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA']);

export interface DomainVerifierOptions {
  /** `host:port` of the DNS server to ask; the system's resolvers when omitted. */
  readonly resolverAddress?: string | undefined;
  readonly call: ResilientCall;
}

export interface DomainVerification {
  readonly verified: boolean;
  /** The TXT values found at the verification name (chunks joined), to show the customer. */
  readonly foundRecords: readonly string[];
}

export interface DomainVerifier {
  /** A fresh random token for the customer to publish (URL-safe, 43 characters). */
  issueToken(): string;
  /** Where the customer must publish the token. */
  recordNameFor(domain: string): string;
  /** Looks the token up in the customer's own DNS (R-INT-4). */
  verifyDomain(domain: string, expectedToken: string): Promise<DomainVerification>;
}

/** Compares through fixed-length digests so neither content nor length leaks by timing. */
function sameToken(found: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(found), digest(expected));
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** One TXT lookup on a resolver of its own, so cancelling it cannot cancel anyone else's. */
async function lookUpTxt(
  name: string,
  signal: AbortSignal,
  resolverAddress: string | undefined,
): Promise<string[][]> {
  // One try per attempt: the resilient call owns retries and the attempt's deadline.
  const resolver = new Resolver({ tries: 1 });
  if (resolverAddress !== undefined) {
    resolver.setServers([resolverAddress]);
  }
  signal.throwIfAborted();
  const cancel = () => {
    resolver.cancel();
  };
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await resolver.resolveTxt(name);
  } catch (err) {
    const code = errorCode(err);
    if (code !== undefined && NO_RECORDS.has(code)) {
      return [];
    }
    throw new IntegrationFailure('dns', `TXT lookup of ${name} failed (${code ?? 'unknown'})`, {
      kind: 'retryable',
      cause: err,
    });
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/**
 * Custom-domain ownership check: the customer adds a TXT record with our token at their
 * own DNS provider, and we look it up there, never in our zone.
 */
export function createDomainVerifier(options: DomainVerifierOptions): DomainVerifier {
  const recordNameFor = (domain: string) =>
    `${VERIFICATION_LABEL}.${parseHostName(domain, 'domain')}`;

  return {
    issueToken() {
      return randomBytes(TOKEN_BYTES).toString('base64url');
    },

    recordNameFor,

    async verifyDomain(domain, expectedToken) {
      const name = recordNameFor(domain);
      if (!TOKEN_PATTERN.test(expectedToken)) {
        throw new InvalidInputError('request.invalid', 'The verification token is malformed.', {
          fieldIssues: [{ path: 'token', message: 'must be 32–128 URL-safe characters' }],
        });
      }
      const records = await options.call('verify domain', (signal) =>
        lookUpTxt(name, signal, options.resolverAddress),
      );
      const foundRecords = records.map((chunks) => chunks.join(''));
      return {
        verified: foundRecords.some((value) => sameToken(value.trim(), expectedToken)),
        foundRecords,
      };
    },
  };
}
