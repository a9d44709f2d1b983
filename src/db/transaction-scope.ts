import { AsyncLocalStorage } from 'node:async_hooks';

import type { Kysely, Transaction } from 'kysely';

// R-SEC-1: code that holds a transaction must not take a second pool connection or wait on
// a vendor. Four concurrent requests that each hold a connection and ask for another exhaust
// a pool of four, and every other request of the process then waits for the acquire timeout.
// A guarded database marks each transaction's callback with an async-context scope; the
// pool checkout and every integration call refuse to run inside one.

/** Raised when a pool connection or a vendor call is requested while a transaction is open. */
export class TransactionScopeError extends Error {
  override readonly name = 'TransactionScopeError';
}

const openTransaction = new AsyncLocalStorage<{ readonly startedAt: number }>();
const guardedDatabases = new WeakSet<object>();

/**
 * Marks a database so that its transactions open a guarded scope. Off by default in
 * production: an active AsyncLocalStorage adds a cost to every promise on Node 20.
 */
export function guardTransactionsOf(db: object): void {
  guardedDatabases.add(db);
}

/** Throws {@link TransactionScopeError} when called inside a guarded transaction. */
export function assertOutsideTransaction(what: string): void {
  const scope = openTransaction.getStore();
  if (scope !== undefined) {
    const heldMs = Math.round(performance.now() - scope.startedAt);
    throw new TransactionScopeError(
      `${what} while a transaction is open (held ${String(heldMs)} ms): a transaction may use ` +
        'only its own connection and must not wait on a vendor',
    );
  }
}

/**
 * Runs `work` in one transaction, the only way the code base opens one (a lint rule forbids
 * `.transaction()` elsewhere). Commits when `work` resolves and rolls back when it throws.
 */
export function withTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const guarded = guardedDatabases.has(db);
  return db
    .transaction()
    .execute((trx) =>
      guarded ? openTransaction.run({ startedAt: performance.now() }, () => work(trx)) : work(trx),
    );
}
