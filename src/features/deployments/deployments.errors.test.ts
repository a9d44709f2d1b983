import { describe, expect, it } from 'vitest';

import { ConflictError, InvalidInputError, UnavailableError } from '../../errors/app-error.ts';
import {
  IntegrationFailure,
  IntegrationRateLimitedError,
  IntegrationUnavailableError,
} from '../../integrations/resilience/integration-errors.ts';
import {
  DeploymentRejectedError,
  describeDeploymentFailure,
  MAX_FAILURE_MESSAGE_LENGTH,
  publicFailureMessage,
} from './deployments.errors.ts';

describe(describeDeploymentFailure.name, () => {
  it('keeps the code and message of a rejection and never retries it (R-JOB-4)', () => {
    const failure = describeDeploymentFailure(
      new DeploymentRejectedError('deployment.subdomain_taken', 'The subdomain "jane" is taken'),
    );

    expect(failure).toEqual({
      code: 'deployment.subdomain_taken',
      message: 'The subdomain "jane" is taken',
      retryable: false,
    });
  });

  it('retries a vendor failure and names it after its integration', () => {
    const failure = describeDeploymentFailure(
      new IntegrationFailure('storage', 'storage call failed: 503', { kind: 'retryable' }),
    );

    expect(failure).toMatchObject({ code: 'storage.failed', retryable: true });
  });

  it('carries a rate limit still in force as the time to run again', () => {
    const blockedUntil = Date.now() + 60_000;

    const failure = describeDeploymentFailure(
      new IntegrationRateLimitedError('dns', 'dns is rate limited for another 60 s', {
        blockedUntil,
        fromVendor: true,
      }),
    );

    expect(failure).toEqual({
      code: 'dns.rate_limited',
      message: 'The DNS service asked us to slow down; the work continues when it allows.',
      retryable: true,
      blockedUntil,
    });
  });

  it('does not retry a vendor refusal (4xx)', () => {
    const failure = describeDeploymentFailure(
      new IntegrationFailure('dns', 'dns refused the record', { kind: 'rejected', status: 400 }),
    );

    expect(failure).toMatchObject({ code: 'dns.rejected', retryable: false });
  });

  it('retries an open breaker and an unavailable dependency', () => {
    expect(
      describeDeploymentFailure(new IntegrationUnavailableError('ssl', 'the breaker is open')),
    ).toMatchObject({ code: 'ssl.unavailable', retryable: true });
    expect(
      describeDeploymentFailure(new UnavailableError('dependency.unavailable', 'down')),
    ).toMatchObject({ code: 'dependency.unavailable', retryable: true });
  });

  it('does not retry caller faults of our own', () => {
    expect(
      describeDeploymentFailure(new InvalidInputError('request.invalid', 'bad key')),
    ).toMatchObject({ code: 'request.invalid', retryable: false });
    expect(
      describeDeploymentFailure(new ConflictError('dns.record_conflict', 'taken')),
    ).toMatchObject({ code: 'dns.record_conflict', retryable: false });
  });

  it('retries an unknown error but keeps its message (which may hold internals) out', () => {
    const failure = describeDeploymentFailure(
      new Error('relation "deployments" does not exist at character 15'),
    );

    expect(failure.code).toBe('deployment.internal');
    expect(failure.retryable).toBe(true);
    expect(failure.message).not.toContain('relation');
  });

  it('stores one line of bounded length', () => {
    const failure = describeDeploymentFailure(
      new DeploymentRejectedError(
        'deployment.build_failed',
        `line one\nline two ${'x'.repeat(900)}`,
      ),
    );

    expect(failure.message).not.toContain('\n');
    expect(failure.message.length).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_LENGTH);
  });
});

// R-SEC-7 (issue 8, fault 12): the vendor's reply, hosts and addresses never reach a user.
describe('public failure messages', () => {
  const vendorText =
    'Cloudflare answered 1004: DNS Validation Error for careers.example.com (zone 023e105f) via 10.0.4.7';

  it.each([
    [new IntegrationFailure('dns', vendorText, { kind: 'retryable', status: 502 }), 'dns.failed'],
    [new IntegrationFailure('dns', vendorText, { kind: 'rejected', status: 400 }), 'dns.rejected'],
    [new IntegrationUnavailableError('dns', vendorText), 'dns.unavailable'],
  ])('stores a fixed sentence for %s', (err, code) => {
    const failure = describeDeploymentFailure(err);

    expect(failure.code).toBe(code);
    expect(failure.message).toMatch(/^The DNS service /);
    expect(failure.message).not.toMatch(/Cloudflare|10\.0\.4\.7|careers|zone/);
  });

  it('replaces the vendor text of rows stored before the rule when they are read', () => {
    expect(publicFailureMessage('storage.failed', 'PUT http://10.0.4.7:9000/x: 500')).toBe(
      'The file storage service failed to complete the request.',
    );
    expect(publicFailureMessage('deployment.internal', 'relation "x" does not exist')).toBe(
      'An unexpected error interrupted the deployment',
    );
  });

  it('keeps our own messages, which are written for the user', () => {
    expect(
      publicFailureMessage('deployment.subdomain_taken', 'The subdomain "jane" is taken'),
    ).toBe('The subdomain "jane" is taken');
  });
});
