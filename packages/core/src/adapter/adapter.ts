import type { Kysely } from 'kysely';

/** A table to bulk-load into. */
export interface CopyTarget {
  schema: string;
  table: string;
  columns: readonly string[];
}

/** How a CSV to COPY is written (Postgres' defaults otherwise: double quotes, unquoted empty is NULL). */
export interface CsvFormat {
  /** One character between fields (default `,`). */
  delimiter?: string;
}

/**
 * A transaction on one connection that can also COPY, so that what a load copies, checks and
 * records commits or rolls back together.
 */
export interface CopyTransaction {
  /** Runs one statement written as text (values inlined: see sqlText) and returns its rows. */
  query<R = Record<string, unknown>>(statement: string): Promise<{ rows: R[]; rowCount: number }>;
  /**
   * COPYs CSV into `target`; returns the number of rows copied. Each chunk must hold whole
   * records (PGlite copies a large load as several COPYs, cut between chunks).
   */
  copyCsv(target: CopyTarget, chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, format?: CsvFormat): Promise<number>;
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
  /** Runs `work` in one transaction (committed when it resolves, rolled back when it throws). */
  withCopyTransaction<T>(work: (transaction: CopyTransaction) => Promise<T>): Promise<T>;
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
