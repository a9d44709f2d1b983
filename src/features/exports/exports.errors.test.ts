import { describe, expect, it } from 'vitest';

import { InvalidInputError, NotFoundError } from '../../errors/app-error.ts';
import {
  IntegrationFailure,
  IntegrationUnavailableError,
} from '../../integrations/resilience/integration-errors.ts';
import { describeExportFailure } from './exports.errors.ts';

describe(describeExportFailure.name, () => {
  it('keeps the code and message of our own errors, which are written for the requester', () => {
    expect(
      describeExportFailure(new NotFoundError('portfolio.not_found', 'The portfolio was deleted.')),
    ).toEqual({ code: 'portfolio.not_found', message: 'The portfolio was deleted.' });
    expect(describeExportFailure(new InvalidInputError('request.invalid', 'bad\n key'))).toEqual({
      code: 'request.invalid',
      message: 'bad key',
    });
  });

  it('names the unavailable integration with its public message', () => {
    const outage = new IntegrationUnavailableError(
      'storage',
      'The storage service is unavailable right now; try again later.',
      new Error('connect ECONNREFUSED 10.0.4.7:9000'),
    );

    expect(describeExportFailure(outage)).toEqual({
      code: 'storage.unavailable',
      message: 'The file storage service is unavailable right now.',
    });
  });

  it("keeps a vendor failure's code but not its reply, host or port", () => {
    const rejected = new IntegrationFailure(
      'storage',
      'S3 putObject failed with 403 AccessDenied: bucket rolerabbit-exports at 10.0.4.7:9000',
      { kind: 'rejected', status: 403 },
    );
    const reset = new IntegrationFailure('email', 'smtp.internal:587 reset the connection', {
      kind: 'retryable',
    });

    expect(describeExportFailure(rejected)).toEqual({
      code: 'storage.rejected',
      message: 'The file storage service refused the request.',
    });
    expect(describeExportFailure(reset)).toEqual({
      code: 'email.unavailable',
      message: 'The email service is unavailable right now.',
    });
  });

  it('turns anything else (PostgreSQL errors, bugs, thrown strings) into export.internal', () => {
    const pgError = Object.assign(new Error('relation "exports" does not exist'), {
      code: '42P01',
    });

    for (const thrown of [pgError, new TypeError('x is undefined'), 'boom', undefined]) {
      expect(describeExportFailure(thrown)).toEqual({
        code: 'export.internal',
        message: 'An unexpected error interrupted the export.',
      });
    }
  });
});
