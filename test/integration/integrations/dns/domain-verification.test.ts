import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import { createDomainVerifier } from '../../../../src/integrations/dns/domain-verification.ts';
import {
  IntegrationTimeoutError,
  IntegrationUnavailableError,
} from '../../../../src/integrations/resilience/integration-errors.ts';
import { type DnsServerStandIn, startDnsServer } from '../../../support/stand-ins/dns-server.ts';
import { createDnsIntegration, DNS_RESILIENCE } from './dns-provider-contract.ts';

const RECORD = '_rolerabbit-verification.customer.example';

let server: DnsServerStandIn;

beforeEach(async () => {
  server = await startDnsServer();
});

afterEach(async () => {
  await server.close();
});

function createVerifier(timeoutMs = DNS_RESILIENCE.timeoutMs) {
  const { integration, delays } = createDnsIntegration({ ...DNS_RESILIENCE, timeoutMs });
  const verifier = createDomainVerifier({
    resolverAddress: server.address,
    call: integration.call,
  });
  return { verifier, delays };
}

describe(createDomainVerifier.name, () => {
  it('issues distinct URL-safe tokens of at least 32 characters', () => {
    const { verifier } = createVerifier();

    const tokens = Array.from({ length: 20 }, () => verifier.issueToken());

    expect(new Set(tokens).size).toBe(20);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    }
  });

  it('verifies a domain whose TXT record holds the token', async () => {
    const { verifier } = createVerifier();
    const token = verifier.issueToken();
    server.setTxt(RECORD, ['v=spf1 -all', token]);

    const result = await verifier.verifyDomain('Customer.Example', token);

    expect(result).toEqual({ verified: true, foundRecords: ['v=spf1 -all', token] });
    expect(server.queries).toEqual([{ name: RECORD, type: 'TXT' }]);
  });

  it('joins a token split into several character-strings', async () => {
    const { verifier } = createVerifier();
    const token = verifier.issueToken();
    server.setTxt(RECORD, [[token.slice(0, 20), token.slice(20)]]);

    const result = await verifier.verifyDomain('customer.example', token);

    expect(result.verified).toBe(true);
  });

  it('does not verify when the record holds another token', async () => {
    const { verifier } = createVerifier();
    const published = verifier.issueToken();
    server.setTxt(RECORD, [published]);

    const result = await verifier.verifyDomain('customer.example', verifier.issueToken());

    expect(result).toEqual({ verified: false, foundRecords: [published] });
  });

  it('does not verify, without failing, when the name does not exist', async () => {
    const { verifier, delays } = createVerifier();

    const result = await verifier.verifyDomain('customer.example', verifier.issueToken());

    expect(result).toEqual({ verified: false, foundRecords: [] });
    expect(delays).toEqual([]);
  });

  it('does not verify when the name exists without TXT records', async () => {
    const { verifier } = createVerifier();
    server.setTxt(RECORD, []);

    const result = await verifier.verifyDomain('customer.example', verifier.issueToken());

    expect(result).toEqual({ verified: false, foundRecords: [] });
  });

  it('retries SERVFAIL and then reports the dependency unavailable', async () => {
    const { verifier, delays } = createVerifier();
    server.setMode('servfail');

    await expect(
      verifier.verifyDomain('customer.example', verifier.issueToken()),
    ).rejects.toBeInstanceOf(IntegrationUnavailableError);
    expect(server.queries).toHaveLength(3);
    expect(delays).toEqual([10, 20]);
  });

  it('gives up each attempt at its deadline when the server does not answer', async () => {
    const { verifier } = createVerifier(300);
    server.setMode('silent');
    const startedAt = performance.now();

    const error: unknown = await verifier
      .verifyDomain('customer.example', verifier.issueToken())
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(IntegrationUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(IntegrationTimeoutError);
    expect(server.queries).toHaveLength(3);
    expect(performance.now() - startedAt).toBeLessThan(3_000);
  });

  it('rejects a malformed domain or token without asking DNS', async () => {
    const { verifier } = createVerifier();

    await expect(verifier.verifyDomain('not a domain', verifier.issueToken())).rejects.toThrow(
      InvalidInputError,
    );
    await expect(verifier.verifyDomain('customer.example', '')).rejects.toThrow(InvalidInputError);
    expect(server.queries).toEqual([]);
  });

  it('tells the customer where to publish the token', () => {
    const { verifier } = createVerifier();

    expect(verifier.recordNameFor('Customer.Example.')).toBe(RECORD);
  });
});
