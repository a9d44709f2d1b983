import { OpenAPIHono } from '@hono/zod-openapi';

import { InvalidInputError } from '../errors/app-error.ts';
import type { AppEnv } from './app-env.ts';
import { toFieldIssues } from './error-handler.ts';

/** A router whose validation failures all become one 400 problem listing every field. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new InvalidInputError('request.invalid', 'The request is invalid.', {
          fieldIssues: toFieldIssues(result.target, result.error),
        });
      }
    },
  });
}
