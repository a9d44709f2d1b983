import { ConflictError } from '../../errors/app-error.ts';

const UNIQUE_VIOLATION = '23505';

/** Which unique index means which conflict, by the index names of migration 0001. */
const CONFLICTS: Readonly<Record<string, ConflictError>> = {
  portfolios_owner_slug_key: new ConflictError(
    'portfolio.slug_taken',
    'You already have a portfolio with this slug.',
    { fieldIssues: [{ path: 'slug', message: 'already used by another of your portfolios' }] },
  ),
  portfolios_subdomain_key: new ConflictError(
    'portfolio.subdomain_taken',
    'This subdomain is already taken.',
    { fieldIssues: [{ path: 'subdomain', message: 'already taken' }] },
  ),
};

function constraintOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) {
    return undefined;
  }
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && typeof constraint === 'string' ? constraint : undefined;
}

/** Runs the write and turns a known unique violation into the matching ConflictError. */
export async function translateUniqueViolation<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const known = CONFLICTS[constraintOf(err) ?? ''];
    if (known !== undefined) {
      throw new ConflictError(known.code, known.message, {
        cause: err,
        fieldIssues: known.fieldIssues,
      });
    }
    throw err;
  }
}
