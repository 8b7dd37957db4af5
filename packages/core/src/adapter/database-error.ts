/** The fields node-postgres and PGlite both put on a server error. */
export interface DatabaseErrorFields {
  /** SQLSTATE, e.g. `23502` for a not-null violation. */
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement, when the server gives one. */
  position?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/** The server error inside `error`, if it is one (it has a five-character SQLSTATE). */
export function databaseErrorOf(error: unknown): DatabaseErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as Partial<DatabaseErrorFields> & { cause?: unknown };
  if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code) && typeof candidate.message === 'string') {
    return candidate as DatabaseErrorFields;
  }
  return candidate.cause === undefined ? undefined : databaseErrorOf(candidate.cause);
}

/** SQLSTATEs worth retrying: the statement may succeed when run again unchanged. */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = databaseErrorOf(error)?.code ?? '';
  return (
    code === '40001' || // serialization_failure
    code === '40P01' || // deadlock_detected
    code === '55P03' || // lock_not_available
    code.startsWith('08') || // connection exceptions
    code === '57P01' // admin_shutdown
  );
}

/**
 * Whether an error says the server or the session cannot go on (the connection gone, the server
 * shutting down, out of disk or memory, an I/O or internal error), rather than that one
 * statement failed on one table: the next statement would most likely fail the same way.
 */
export function isServerWideDatabaseError(error: unknown): boolean {
  const code = databaseErrorOf(error)?.code ?? '';
  return (
    code.startsWith('08') || // connection exceptions
    code.startsWith('53') || // insufficient resources: disk full, out of memory, too many connections
    code.startsWith('57') || // operator intervention: shutdown, query canceled
    code.startsWith('58') || // system error: I/O
    code.startsWith('XX') // internal error, data corrupted
  );
}

/**
 * Whether a `CREATE ... IF NOT EXISTS` failed because another session created the same object
 * at the same moment: IF NOT EXISTS only sees committed objects, so the second of two sessions
 * runs into the first one's catalog row instead. Run again, the statement finds the object.
 */
export function isCreatedMeanwhile(error: unknown): boolean {
  const code = databaseErrorOf(error)?.code ?? '';
  return (
    code === '23505' || // unique_violation, on a catalog's name index
    code === '42P07' || // duplicate_table (also an index)
    code === '42P06' || // duplicate_schema
    code === '42710' // duplicate_object
  );
}

/**
 * Runs a `CREATE ... IF NOT EXISTS` (or several, idempotent), once more when another session
 * created the same object meanwhile (two loads into a new source arriving at once): the
 * second run finds it.
 */
export async function createdOnce(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!isCreatedMeanwhile(error)) throw error;
    await create();
  }
}

/** One line for a person: the server message, with its detail and hint when there are some. */
export function describeDatabaseError(error: unknown): string {
  const db = databaseErrorOf(error);
  if (!db) return error instanceof Error ? error.message : String(error);
  const parts = [db.message];
  if (db.detail) parts.push(`detail: ${db.detail}`);
  if (db.hint) parts.push(`hint: ${db.hint}`);
  return `${parts.join('; ')} (SQLSTATE ${db.code})`;
}
