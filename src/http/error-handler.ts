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
  GoneError,
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
  [GoneError, 410],
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

/** Turns a lower layer's error (e.g. a busy database) into the AppError a caller should see. */
export type ErrorTranslator = (err: unknown) => AppError | undefined;

export interface ErrorHandlerOptions {
  /** Tried in order on errors that are not AppErrors. @defaultValue [] */
  readonly translators?: readonly ErrorTranslator[];
}

function headersFor(err: AppError, status: number): Record<string, string> {
  if (status === 401) {
    return { 'www-authenticate': 'Bearer realm="rolerabbit"' };
  }
  if (err instanceof UnavailableError) {
    return { 'retry-after': String(err.retryAfterSeconds) };
  }
  if (status === 413) {
    // The body limit answers before reading the rest of the body, so the connection cannot
    // carry another request (RFC 9112 §9.6): say so rather than keep-alive and drop it.
    return { connection: 'close' };
  }
  return {};
}

/** The app's onError: every failure becomes problem+json; only unexpected ones are 500. */
export function createErrorHandler(options: ErrorHandlerOptions = {}): ErrorHandler<AppEnv> {
  const translators = options.translators ?? [];
  const translate = (err: unknown): AppError | undefined => {
    for (const translator of translators) {
      const translated = translator(err);
      if (translated !== undefined) {
        return translated;
      }
    }
    return undefined;
  };
  return function handleError(err, c) {
    const appError =
      err instanceof AppError
        ? err
        : err instanceof HTTPException
          ? fromHttpException(err)
          : (translate(err) ??
            new AppError('internal', 'An unexpected error occurred.', { cause: err }));
    const status = HTTP_EXCEPTION_STATUS[appError.code] ?? statusOf(appError);
    const logger = c.get('logger');
    if (status >= 500) {
      logger.error({ err }, 'request failed');
    } else {
      logger.debug({ code: appError.code }, appError.message);
    }
    return problemResponse(problemFor(c, appError, status), headersFor(appError, status));
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
