/** Stable, machine-readable error codes: `area.reason`. Clients may branch on them. */
export type ErrorCode =
  | 'auth.missing_token'
  | 'auth.invalid_token'
  | 'auth.forbidden'
  | 'request.invalid'
  | 'request.malformed_json'
  | 'request.too_large'
  | 'request.unsupported_media_type'
  | 'request.malformed'
  | 'request.invalid_host'
  | 'request.timeout'
  | 'request.headers_too_large'
  | 'request.method_not_implemented'
  | 'route.not_found'
  | 'route.method_not_allowed'
  | 'portfolio.not_found'
  | 'portfolio.version_not_found'
  | 'portfolio.version_conflict'
  | 'portfolio.slug_taken'
  | 'portfolio.subdomain_taken'
  | 'portfolio.subdomain_invalid'
  | 'template.not_found'
  | 'template.inactive'
  | 'pagination.invalid_cursor'
  | 'webhook.endpoint_not_found'
  | 'webhook.endpoint_disabled'
  | 'webhook.delivery_not_found'
  | 'webhook.delivery_pending'
  | 'export.not_found'
  | 'deployment.not_found'
  | 'deployment.subdomain_missing'
  | 'deployment.not_deployed'
  | 'dns.record_conflict'
  | 'dependency.unavailable'
  | 'database.busy'
  | 'link.invalid'
  | 'link.expired'
  | 'internal';

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly cause?: unknown;
  /** Safe to show and log: never secrets. */
  readonly fieldIssues?: readonly FieldIssue[];
}

/** Base of every error we raise on purpose. The HTTP layer maps each subclass to a status. */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: ErrorCode;
  readonly fieldIssues: readonly FieldIssue[];

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fieldIssues = options.fieldIssues ?? [];
  }
}

export class NotFoundError extends AppError {
  override readonly name: string = 'NotFoundError';
}

export class ConflictError extends AppError {
  override readonly name: string = 'ConflictError';
}

export class InvalidInputError extends AppError {
  override readonly name: string = 'InvalidInputError';
}

export class UnauthenticatedError extends AppError {
  override readonly name: string = 'UnauthenticatedError';
}

export class ForbiddenError extends AppError {
  override readonly name: string = 'ForbiddenError';
}

/** The thing asked for existed but is gone for good (an expired link). */
export class GoneError extends AppError {
  override readonly name: string = 'GoneError';
}

/** A dependency is down or its breaker is open; the caller may retry later. */
export class UnavailableError extends AppError {
  override readonly name: string = 'UnavailableError';
  /** When a retry may succeed, sent as Retry-After. @defaultValue 5 */
  readonly retryAfterSeconds: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: AppErrorOptions & { readonly retryAfterSeconds?: number } = {},
  ) {
    super(code, message, options);
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }
}

/** Normalises anything thrown into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) {
    return thrown;
  }
  return new Error(typeof thrown === 'string' ? thrown : 'Non-error value thrown', {
    cause: thrown,
  });
}
