import { sql, type Kysely, type QueryResult } from 'kysely';
import { STAGED_SUFFIX, type RelationKind, type RelationName } from '../../compile/ddl.js';
import { databaseErrorOf, describeDatabaseError } from '../../adapter/database-error.js';
import { ErrorCode, WarehouseError } from '../../errors/warehouse-error.js';
import type { PlannedNode } from '../plan.js';

/** Model SQL embedded in a statement, so server errors can point into the compiled file. */
export interface EmbeddedSql {
  /** Characters of the statement before the model SQL. */
  at: number;
  sql: string;
  /** The compiled file the model SQL is written to. */
  path: string;
}

/** What a materialization gets to build one model inside its transaction. */
export interface MaterializeContext {
  transaction: Kysely<any>;
  node: PlannedNode;
  relation: RelationName;
  /** True for `--full-refresh`: incremental models and rebuildable snapshots start over. */
  fullRefresh: boolean;
  /**
   * Runs one statement. When it embeds the model's SQL, a server error is reported at its line
   * and column in the compiled file.
   */
  run(statement: string, embedded?: EmbeddedSql): Promise<QueryResult<unknown>>;
  /** Swaps the staged relation in (one swap at a time per run, to avoid lock cycles). */
  swap(relation: RelationName, kind: RelationKind): Promise<void>;
}

export interface MaterializeResult {
  rowsAffected?: number;
  /** What the build did, for people: "merged 120 rows", "3 new versions". */
  summary?: string;
  /** Set when an incremental run left the rows it wrote there (its tests check just those). */
  changedRows?: RelationName;
}

export type Materialization = (context: MaterializeContext) => Promise<MaterializeResult>;

/** Runs a statement; server errors become SQL_FAILED errors that name the model and position. */
export async function runStatement(
  transaction: Kysely<any>,
  node: PlannedNode,
  statement: string,
  embedded: EmbeddedSql | undefined,
): Promise<QueryResult<unknown>> {
  try {
    return await sql.raw(statement).execute(transaction);
  } catch (error) {
    const db = databaseErrorOf(error);
    if (!db) throw error;
    const details: Record<string, string | number> = { sqlState: db.code ?? '' };
    let where = '';
    const position = Number(db.position);
    if (embedded && position > embedded.at && position <= embedded.at + embedded.sql.length) {
      const before = embedded.sql.slice(0, position - embedded.at - 1).split('\n');
      details.line = before.length;
      details.column = before[before.length - 1]!.length + 1;
      details.path = embedded.path;
      where = ` at line ${details.line}, column ${details.column} of ${embedded.path}`;
    }
    // The server names the staged relation; people know it by the model's name.
    const description = describeDatabaseError(db).replaceAll(STAGED_SUFFIX, '').replace(/__(pk|uk|ix\d+)_new\b/g, '__$1');
    throw new WarehouseError(ErrorCode.sqlFailed, `model ${node.name} failed: ${description}${where}`, {
      cause: error,
      details,
    });
  }
}
