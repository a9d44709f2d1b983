import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

import {
  AppError,
  ConflictError,
  type ErrorCode,
  type FieldIssue,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
} from '../errors/app-error.ts';
import type { AppEnv } from './app-env.ts';
import { createProblem, problemResponse } from './problem.ts';

/** Which HTTP status each kind of failure gets; the first matching class wins. */
const STATUS_BY_CLASS: readonly (readonly [typeof AppError, ContentfulStatusCode])[] = [
  [InvalidInputError, 400],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [UnavailableError, 503],
];

function statusOf(err: AppError): ContentfulStatusCode {
  return STATUS_BY_CLASS.find(([errorClass]) => err instanceof errorClass)?.[1] ?? 500;
}

/** Errors Hono or its validators raise before our code runs (bad JSON, media type, ...). */
function fromHttpException(err: HTTPException): AppError {
  switch (err.status) {
    case 400:
      return new InvalidInputError('request.malformed_json', 'The request body is not valid JSON.');
    case 413:
      return new InvalidInputError('request.too_large', 'The request body is too large.');
    case 415:
      return new InvalidInputError(
        'request.unsupported_media_type',
        'Send the request body as application/json.',
      );
    default:
      return new AppError('internal', err.message);
  }
}

const HTTP_EXCEPTION_STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  'request.too_large': 413,
  'request.unsupported_media_type': 415,
};

export function problemFor(c: Context<AppEnv>, err: AppError, status: ContentfulStatusCode) {
  return createProblem({
    status,
    code: err.code,
    detail: err.message,
    instance: c.req.path,
    requestId: c.get('requestId'),
    errors: err.fieldIssues,
  });
}

/** The app's onError: every failure becomes problem+json; only unexpected ones are 500. */
export function createErrorHandler(): ErrorHandler<AppEnv> {
  return function handleError(err, c) {
    const appError =
      err instanceof AppError
        ? err
        : err instanceof HTTPException
          ? fromHttpException(err)
          : new AppError('internal', 'An unexpected error occurred.', { cause: err });
    const status = HTTP_EXCEPTION_STATUS[appError.code] ?? statusOf(appError);
    const logger = c.get('logger');
    if (status >= 500) {
      logger.error({ err }, 'request failed');
    } else {
      logger.debug({ code: appError.code }, appError.message);
    }
    const headers: Record<string, string> =
      status === 401 ? { 'www-authenticate': 'Bearer realm="rolerabbit"' } : {};
    return problemResponse(problemFor(c, appError, status), headers);
  };
}

/** Zod issues as `target.path` field errors (e.g. `body.content.profile.name`). */
export function toFieldIssues(target: string, error: ZodError): FieldIssue[] {
  const prefix = target === 'json' ? 'body' : target;
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}
