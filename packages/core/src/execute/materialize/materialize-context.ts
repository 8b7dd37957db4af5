import { sql, type Kysely, type QueryResult } from 'kysely';
import { STAGED_SUFFIX, type RelationKind, type RelationName } from '../../compile/ddl.js';
import { databaseErrorOf, describeDatabaseError } from '../../adapter/database-error.js';
import { ErrorCode, WarehouseError } from '../../errors/warehouse-error.js';
import type { PlannedNode } from '../plan.js';

/** What a materialization gets to build one model inside its transaction. */
export interface MaterializeContext {
  transaction: Kysely<any>;
  node: PlannedNode;
  relation: RelationName;
  /**
   * Runs one statement. When the statement embeds the model's SQL after `modelSqlAt`
   * characters, a server error is reported at its line and column in the compiled model SQL.
   */
  run(statement: string, modelSqlAt?: number): Promise<QueryResult<unknown>>;
  /** Swaps the staged relation in (one swap at a time per run, to avoid lock cycles). */
  swap(relation: RelationName, kind: RelationKind): Promise<void>;
}

export interface MaterializeResult {
  rowsAffected?: number;
}

export type Materialization = (context: MaterializeContext) => Promise<MaterializeResult>;

/** Runs a statement; server errors become SQL_FAILED errors that name the model and position. */
export async function runStatement(
  transaction: Kysely<any>,
  node: PlannedNode,
  statement: string,
  modelSqlAt: number | undefined,
): Promise<QueryResult<unknown>> {
  try {
    return await sql.raw(statement).execute(transaction);
  } catch (error) {
    const db = databaseErrorOf(error);
    if (!db) throw error;
    const details: Record<string, string | number> = { sqlState: db.code ?? '' };
    let where = '';
    const position = Number(db.position);
    if (modelSqlAt !== undefined && position > modelSqlAt && position <= modelSqlAt + node.sql.length) {
      const before = node.sql.slice(0, position - modelSqlAt - 1).split('\n');
      details.line = before.length;
      details.column = before[before.length - 1]!.length + 1;
      where = ` at line ${details.line}, column ${details.column} of ${node.compiledPath}`;
    }
    // The server names the staged relation; people know it by the model's name.
    const description = describeDatabaseError(db).replaceAll(STAGED_SUFFIX, '');
    throw new WarehouseError(ErrorCode.sqlFailed, `model ${node.name} failed: ${description}${where}`, {
      cause: error,
      details,
    });
  }
}
