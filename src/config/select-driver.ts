import type { ConfigProblem } from './config-problem.ts';

// R-PLAT-6: a `.env.local` written for the original guide sets a vendor's variables
// (CLOUDFLARE_API_TOKEN, RESEND_API_KEY, ...) but never a driver. Such a file must not leave
// the integration on its local default without a word: the vendor whose variables are all
// present is selected, and a partial set is a start-up problem naming what is missing.

export interface DriverCandidate<Name extends string> {
  readonly name: Name;
  /** Each variable the vendor needs, and whether it is usefully set. */
  readonly requires: Readonly<Record<string, boolean>>;
  /** Variables that, when set, show the operator meant this vendor. */
  readonly signals: readonly string[];
}

export interface DriverSelection<Name extends string> {
  readonly driver: Name;
  readonly problems: readonly ConfigProblem[];
}

/**
 * The explicit driver when set; otherwise the one candidate whose signals are set and whose
 * requirements all hold; otherwise the fallback. A candidate signalled but incomplete, or two
 * complete candidates, are problems naming the variables.
 */
export function selectDriver<Name extends string>(input: {
  readonly variable: string;
  readonly explicit: Name | undefined;
  readonly fallback: Name;
  readonly candidates: readonly DriverCandidate<Name>[];
  readonly isSet: (variable: string) => boolean;
}): DriverSelection<Name> {
  if (input.explicit !== undefined) {
    return { driver: input.explicit, problems: [] };
  }
  const problems: ConfigProblem[] = [];
  const complete: Name[] = [];
  for (const candidate of input.candidates) {
    const signalled = candidate.signals.filter(input.isSet);
    if (signalled.length === 0) {
      continue;
    }
    const missing = Object.entries(candidate.requires)
      .filter(([, present]) => !present)
      .map(([variable]) => variable);
    if (missing.length === 0) {
      complete.push(candidate.name);
      continue;
    }
    for (const variable of missing) {
      problems.push({
        variable,
        message:
          `${signalled.join(' and ')} ${signalled.length > 1 ? 'are' : 'is'} set, which selects ` +
          `${candidate.name}; it also needs ${variable} (or set ${input.variable}=${input.fallback})`,
      });
    }
  }
  if (complete.length > 1) {
    problems.push({
      variable: input.variable,
      message: `both ${complete.join(' and ')} are configured; choose one with ${input.variable}`,
    });
  }
  const [only] = complete;
  return { driver: problems.length === 0 && only !== undefined ? only : input.fallback, problems };
}
