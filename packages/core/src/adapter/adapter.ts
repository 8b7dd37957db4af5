import type { Kysely } from 'kysely';

/** A table to bulk-load into. */
export interface CopyTarget {
  schema: string;
  table: string;
  columns: readonly string[];
}

/**
 * One database the warehouse builds into. The same SQL runs on every implementation; only
 * connection handling and bulk loading differ.
 */
export interface Adapter {
  readonly type: 'pg' | 'pglite';
  /** Where the database is, for messages and logs; never contains a password. */
  readonly location: string;
  /** How many connections may work at once (PGlite has exactly one). */
  readonly maxConnections: number;
  /**
   * Runs `work` on one dedicated connection (for transactions and session state). On PGlite
   * calls queue behind each other; do not nest them.
   */
  withConnection<T>(work: (connection: Kysely<any>) => Promise<T>): Promise<T>;
  /** Bulk-loads CSV text (no header) with COPY; returns the number of rows loaded. */
  copyCsv(target: CopyTarget, chunks: AsyncIterable<string> | Iterable<string>): Promise<number>;
  /** Fails with a clear CONNECTION_FAILED error when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Value parsers shared by both adapters, so the same query gives the same JS values on both. */
export const TEXT_TYPE_OIDS = {
  int8: 20,
  numeric: 1700,
  date: 1082,
} as const;
