import { sql } from 'kysely';
import { createQueryView, dropQueryView, MODEL_QUERY_VIEW, QUERY_VIEW_PREFIX } from '../../compile/ddl.js';
import { sqlText } from '../../compile/sql-text.js';
import { incrementalPathOf } from '../plan.js';
import { checkContract } from './check-contract.js';
import type { MaterializeContext } from './materialize-context.js';
import { relationColumns, type RelationColumn } from './relation-columns.js';

/**
 * Stages the model's query (the full one, or the incremental one) as the connection's temporary
 * view `wh_model_query` and, with an enforced contract, checks its columns against `expected`
 * (by default the whole contract). Returns the query's columns.
 */
export async function stageModelQuery(
  context: MaterializeContext,
  mode: 'full' | 'incremental',
  options: { expected?: Record<string, unknown>; allowExtra?: readonly string[] } = {},
): Promise<RelationColumn[]> {
  const { node, run, transaction } = context;
  const text = mode === 'incremental' && node.incrementalSql !== undefined ? await incrementalText(context) : node.sql;
  const path = mode === 'incremental' && node.incrementalSql !== undefined ? incrementalPathOf(node.compiledPath) : node.compiledPath;
  await run(dropQueryView());
  await run(createQueryView(text), { at: QUERY_VIEW_PREFIX.length, sql: text, path });
  const columns = await relationColumns(transaction, MODEL_QUERY_VIEW);
  if (node.model.contract.enforced) {
    const allowed = new Set(options.allowExtra ?? []);
    const expected = (options.expected ?? node.model.columns) as typeof node.model.columns;
    checkContract(node.model.name, expected, columns.filter((c) => !allowed.has(c.name)));
  }
  return columns;
}

/**
 * The incremental SELECT with the table's current watermarks written in as literals: the
 * planner then estimates "rows since the watermark" from statistics instead of guessing a third
 * of the table, and picks the index.
 */
async function incrementalText(context: MaterializeContext): Promise<string> {
  const { node, relation, run } = context;
  const columns = node.selfMaxColumns ?? [];
  if (columns.length === 0 || !node.renderIncremental) return node.incrementalSql!;
  const maxima = sql.join(columns.map((c) => sql`max(${sql.id(c)})::text as ${sql.id(c)}`));
  const result = await run(sqlText(sql`select ${maxima} from ${sql.id(relation.schema, relation.name)}`));
  return node.renderIncremental(result.rows[0] as Record<string, string | null>);
}
