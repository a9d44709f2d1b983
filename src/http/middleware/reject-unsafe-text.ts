import type { MiddlewareHandler } from 'hono';

import { type FieldIssue, InvalidInputError } from '../../errors/app-error.ts';
import type { AppEnv } from '../app-env.ts';

// R-SEC-4: PostgreSQL text cannot hold U+0000 (the insert fails with a 500), and a lone UTF-16
// surrogate is not Unicode at all (stored as U+FFFD or refused, depending on the path it
// takes). Every text input is checked here, once, before validation: the path, the query and
// every key and string of a JSON body, each problem named by its field.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a string as text, or undefined when nothing is. */
export function findUnsafeText(value: string): string | undefined {
  if (value.includes('\u0000')) {
    return 'must not contain the NUL character (U+0000)';
  }
  if (LONE_SURROGATE.test(value)) {
    return 'must be valid Unicode (it contains a lone UTF-16 surrogate)';
  }
  return undefined;
}

/** A field path cannot itself carry the bad character into the response. */
function printable(key: string): string {
  return findUnsafeText(key) === undefined ? key : JSON.stringify(key).slice(1, -1);
}

const MAX_REPORTED = 20;

/**
 * Every unsafe string in a parsed JSON document, keys included. Iterative, so a document
 * nested thousands of levels deep cannot exhaust the stack.
 */
export function findUnsafeJsonText(document: unknown, root: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const pending: { readonly value: unknown; readonly path: string }[] = [
    { value: document, path: root },
  ];
  while (pending.length > 0 && issues.length < MAX_REPORTED) {
    const { value, path } = pending.pop() ?? { value: undefined, path: root };
    if (typeof value === 'string') {
      const problem = findUnsafeText(value);
      if (problem !== undefined) {
        issues.push({ path, message: problem });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => {
        pending.push({ value: item, path: `${path}.${String(index)}` });
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const keyProblem = findUnsafeText(key);
        if (keyProblem !== undefined) {
          issues.push({ path: `${path}.${printable(key)}`, message: `key ${keyProblem}` });
        }
        pending.push({ value: item, path: `${path}.${printable(key)}` });
      }
    }
  }
  return issues;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([\w.+-]+\+)?json\b/i.test(contentType);
}

/** Refuses NUL and lone surrogates in the path, the query and a JSON body with 400. */
export function rejectUnsafeText(): MiddlewareHandler<AppEnv> {
  return async function rejectUnsafeText(c, next) {
    const issues: FieldIssue[] = [];
    for (const segment of c.req.path.split('/')) {
      const decoded = decodeSegment(segment);
      const problem = decoded === undefined ? undefined : findUnsafeText(decoded);
      if (problem !== undefined) {
        issues.push({ path: 'path', message: problem });
        break;
      }
    }
    for (const [key, values] of Object.entries(c.req.queries())) {
      for (const value of [key, ...values]) {
        const problem = findUnsafeText(value);
        if (problem !== undefined) {
          issues.push({ path: `query.${printable(key)}`, message: problem });
          break;
        }
      }
    }
    if (isJson(c.req.header('content-type')) && c.req.raw.body !== null) {
      // Parsed once here and cached by Hono for the route's validator; a body that is not
      // JSON is left for the validator to refuse.
      const body: unknown = await c.req.json().catch(() => undefined);
      issues.push(...findUnsafeJsonText(body, 'body'));
    }
    if (issues.length > 0) {
      throw new InvalidInputError('request.invalid', 'The request contains invalid text.', {
        fieldIssues: issues,
      });
    }
    await next();
  };
}
