import { describe, expect, it } from 'vitest';

import { ConflictError, InvalidInputError, UnavailableError } from '../errors/app-error.ts';
import {
  IntegrationFailure,
  IntegrationUnavailableError,
} from '../integrations/resilience/integration-errors.ts';
import { isRetryableJobError } from './is-retryable-job-error.ts';
import { PermanentJobError } from './permanent-job-error.ts';

describe(isRetryableJobError.name, () => {
  it.each<[string, unknown, boolean]>([
    ['a plain error (network, bug)', new Error('socket hang up'), true],
    [
      'a retryable vendor failure',
      new IntegrationFailure('storage', '503', { kind: 'retryable' }),
      true,
    ],
    ['an open breaker', new IntegrationUnavailableError('dns', 'breaker open'), true],
    ['an unavailable dependency', new UnavailableError('dependency.unavailable', 'down'), true],
    ['a vendor rejection', new IntegrationFailure('dns', '400', { kind: 'rejected' }), false],
    ['invalid input', new InvalidInputError('request.invalid', 'bad'), false],
    ['a conflict', new ConflictError('portfolio.subdomain_taken', 'taken'), false],
    ['a permanent job error', new PermanentJobError('gone'), false],
  ])('%s → %s', (_, err, retryable) => {
    expect(isRetryableJobError(err)).toBe(retryable);
  });
});
