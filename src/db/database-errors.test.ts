import { describe, expect, it } from 'vitest';

import { UnavailableError } from '../errors/app-error.ts';
import { findTransientDatabaseCause, translateDatabaseError } from './database-errors.ts';

const pgError = (code: string) => Object.assign(new Error('server said no'), { code });

describe(translateDatabaseError.name, () => {
  it.each([
    ['57014', 'statement timeout'],
    ['55P03', 'lock timeout'],
    ['53300', 'too many connections'],
    ['57P03', 'server starting up'],
    ['08006', 'connection failure'],
    ['ECONNREFUSED', 'connection failure'],
  ])('treats %s as transient (%s) and answers 503 after 1 s', (code, cause) => {
    const translated = translateDatabaseError(pgError(code));

    expect(findTransientDatabaseCause(pgError(code))).toBe(cause);
    expect(translated).toBeInstanceOf(UnavailableError);
    expect(translated?.code).toBe('database.busy');
    expect(translated?.retryAfterSeconds).toBe(1);
  });

  it("recognises pg-pool's acquire timeout and a dropped connection", () => {
    expect(findTransientDatabaseCause(new Error('timeout exceeded when trying to connect'))).toBe(
      'pool acquire timeout',
    );
    expect(findTransientDatabaseCause(new Error('Connection terminated unexpectedly'))).toBe(
      'connection lost',
    );
  });

  it('leaves constraint violations and programming errors alone', () => {
    expect(translateDatabaseError(pgError('23505'))).toBeUndefined();
    expect(translateDatabaseError(pgError('42703'))).toBeUndefined();
    expect(translateDatabaseError(new TypeError('x is undefined'))).toBeUndefined();
    expect(translateDatabaseError('a string')).toBeUndefined();
  });
});
