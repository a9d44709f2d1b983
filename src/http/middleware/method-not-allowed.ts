import type { Hono } from 'hono';

import type { AppEnv } from '../app-env.ts';

interface RoutePattern {
  readonly method: string;
  readonly pattern: RegExp;
}

function toPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment === '*'
          ? '.*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * Hono answers a known path with an unknown method as 404; this finds the methods that the
 * path does accept so the not-found handler can answer 405 with an Allow header instead.
 */
export function createAllowedMethodsLookup(app: Hono<AppEnv>): (path: string) => readonly string[] {
  let patterns: readonly RoutePattern[] | undefined;
  return (path) => {
    patterns ??= app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => ({ method: route.method, pattern: toPattern(route.path) }));
    const methods = new Set(
      patterns.filter((route) => route.pattern.test(path)).map((route) => route.method),
    );
    if (methods.has('GET')) {
      methods.add('HEAD');
    }
    return [...methods].sort();
  };
}
