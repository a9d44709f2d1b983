import type { ContentfulStatusCode } from 'hono/utils/http-status';

import type { ErrorCode, FieldIssue } from '../errors/app-error.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document, plus our stable `code` and the request id. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: ContentfulStatusCode;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly instance: string;
  readonly requestId: string;
  readonly errors?: readonly FieldIssue[];
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export function createProblem(fields: {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly instance: string;
  readonly requestId: string;
  readonly errors?: readonly FieldIssue[] | undefined;
}): Problem {
  return {
    // A URN: a stable identifier for the problem type that is not expected to resolve.
    type: `urn:rolerabbit:problem:${fields.code}`,
    title: TITLES[fields.status] ?? 'Error',
    status: fields.status,
    detail: fields.detail,
    code: fields.code,
    instance: fields.instance,
    requestId: fields.requestId,
    ...(fields.errors !== undefined && fields.errors.length > 0 ? { errors: fields.errors } : {}),
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}
