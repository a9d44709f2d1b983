import { ConfigError, loadConfig } from '../../src/config/env.ts';

/** Each problem `loadConfig` reports for `env`, by variable; empty when it loads. */
export function configProblemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      return Object.fromEntries(err.problems.map((problem) => [problem.variable, problem.message]));
    }
    throw err;
  }
  return {};
}
