import { type DestinationStream, type Logger, pino } from 'pino';

import type { Config } from '../config/env.ts';

/** Paths that may hold credentials in anything we log; pino replaces their values. */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.secret',
  '*.token',
  '*.jwtSecret',
  '*.apiKey',
  '*.apiToken',
  '*.secretAccessKey',
  '*.privateKeyPem',
  'config.auth.jwtSecret',
  'config.signing.secret',
];

/** JSON logs to stdout (or the given stream), with credential-bearing fields redacted. */
export function createLogger(
  config: Pick<Config, 'log' | 'env'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.log.level,
    base: { service: 'rolerabbit' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
