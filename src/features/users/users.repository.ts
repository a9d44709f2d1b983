import { type Kysely, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';

export interface UserClaims {
  readonly id: string;
  readonly email: string | null;
  readonly name: string | null;
}

/**
 * Creates the user on first sight and refreshes email/name when the token says otherwise.
 * The WHERE clause makes an unchanged user a no-op, so repeat requests write nothing.
 */
export async function upsertUser(db: Kysely<Database>, claims: UserClaims): Promise<void> {
  await db
    .insertInto('users')
    .values({ id: claims.id, email: claims.email, name: claims.name })
    .onConflict((conflict) =>
      conflict
        .column('id')
        .doUpdateSet({
          email: (eb) => eb.ref('excluded.email'),
          name: (eb) => eb.fn.coalesce(eb.ref('excluded.name'), eb.ref('users.name')),
          updated_at: sql<Date>`now()`,
        })
        .where((eb) =>
          eb.or([
            eb('users.email', 'is distinct from', eb.ref('excluded.email')),
            eb.and([
              eb('excluded.name', 'is not', null),
              eb('users.name', 'is distinct from', eb.ref('excluded.name')),
            ]),
          ]),
        ),
    )
    .execute();
}
