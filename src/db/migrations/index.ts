import type { Migration } from 'kysely';

import * as createCoreTables from './0001-create-core-tables.ts';

/**
 * Every migration, in order. Listed statically (not read from disk) so the build output and
 * `tsx` runs see the same set. Names never change once released.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-create-core-tables': createCoreTables,
};
