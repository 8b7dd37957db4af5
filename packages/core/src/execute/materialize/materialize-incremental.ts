import { sql, type RawBuilder } from 'kysely';
import {
  countRows,
  createIndex,
  createUniqueIndex,
  dropQueryView,
  extraIndexName,
  indexExists,
  MODEL_QUERY_VIEW,
  uniqueIndexName,
} from '../../compile/ddl.js';
import { eventTimeFloor } from '../../compile/render-model-sql.js';
import { sqlText } from '../../compile/sql-text.js';
import { ErrorCode, WarehouseError } from '../../errors/warehouse-error.js';
import { canonicalPgType } from '../../model/column-types.js';
import type { Columns } from '../../model/columns.js';
import { applyGrants } from './apply-grants.js';
import type { MaterializeContext, Materialization, MaterializeResult } from './materialize-context.js';
import { fillStagedTable, swapStagedTable } from './materialize-table.js';
import { relationColumns, relationKind } from './relation-columns.js';
import { stageModelQuery } from './stage-query.js';

/**
 * `incremental`: the first build (and `--full-refresh`) builds the whole table like `table`
 * does; later builds run the model's incremental SELECT (`isIncremental()` is true) into a
 * batch and fold it into the table in place with the configured strategy. Every step runs in
 * the model's transaction: a failure or a kill leaves the table exactly as it was. The batch
 * stays behind (`warehouse_changes.<model>`, replaced by the next run) so that the model's
 * tests can check just the rows this run wrote.
 */
export const materializeIncremental: Materialization = async (context) => {
  const { node, relation, transaction, fullRefresh } = context;
  const config = node.model.incremental!;
  const key = config.strategy === 'append' ? undefined : (config.uniqueKey ?? node.model.grain);
  // a primary key on the same columns already backs ON CONFLICT: no second index
  const primaryKey = node.model.contract.primaryKey;
  const samePrimaryKey = key !== undefined && primaryKey !== undefined && [...key].sort().join() === [...primaryKey].sort().join();
  const uniqueKey = samePrimaryKey ? undefined : key;
  const existing = await relationKind(transaction, relation);
  if (existing !== 'table' || fullRefresh) {
    // a full build is tested whole; an older run's batch must not pass for this one's
    if (node.changedRows) await context.run(sqlText(sql`drop table if exists ${sql.id(node.changedRows.schema, node.changedRows.name)}`));
    await stageModelQuery(context, 'full');
    const rowsAffected = await fillStagedTable(context, uniqueKey ? { uniqueKey } : {});
    await swapStagedTable(context, uniqueKey ? { uniqueKey } : {});
    return { rowsAffected, summary: `built ${rowsAffected} rows (full)` };
  }
  await stageModelQuery(context, 'incremental');
  await applySchemaChanges(context);
  if (uniqueKey) await ensureUniqueIndex(context, uniqueKey);
  for (const [n, columns] of node.indexes.entries()) await context.run(createIndex(relation, extraIndexName(relation, n + 1), columns));
  await applyGrants(context, relation);
  return foldBatch(context, key);
};

/** Compares the contract with the existing table and applies the onSchemaChange policy. */
async function applySchemaChanges(context: MaterializeContext): Promise<void> {
  const { node, relation, run, transaction } = context;
  const contract = node.model.columns as Columns;
  const policy = node.model.incremental!.onSchemaChange ?? 'fail';
  const columns = await relationColumns(transaction, relation);
  const existing = new Map(columns.map((c) => [c.name, c.type]));
  const nullable = new Set(columns.filter((c) => !c.notNull).map((c) => c.name));
  const added = Object.keys(contract).filter((c) => !existing.has(c));
  const removed = [...existing.keys()].filter((c) => !(c in contract));
  const retyped = Object.entries(contract).filter(([c, spec]) => existing.has(c) && canonicalPgType(spec.type) !== existing.get(c));
  const problems: string[] = [];
  if (removed.length > 0) problems.push(`the table has column(s) the contract no longer has: ${removed.join(', ')}`);
  for (const [c, spec] of retyped) problems.push(`column ${c} is ${existing.get(c)} in the table but ${canonicalPgType(spec.type)} in the contract`);
  if (added.length > 0 && policy === 'fail') {
    problems.push(`the contract has new column(s): ${added.join(', ')} (incremental.onSchemaChange: 'append_new_columns' adds them)`);
  }
  if (problems.length > 0) {
    throw new WarehouseError(
      ErrorCode.contractMismatch,
      `model ${node.name}: the contract changed since the table was built; rebuild it with --full-refresh:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  for (const column of added) {
    await run(sqlText(sql`alter table ${sql.id(relation.schema, relation.name)} add column ${sql.id(column)} ${sql.raw(contract[column]!.type)}`));
  }
  // a column the contract made NOT NULL since: constrain it (fails, naming a row, if nulls exist)
  for (const [column, spec] of Object.entries(contract)) {
    if (spec.nullable === false && nullable.has(column)) {
      await run(sqlText(sql`alter table ${sql.id(relation.schema, relation.name)} alter column ${sql.id(column)} set not null`));
    }
  }
}

async function ensureUniqueIndex(context: MaterializeContext, uniqueKey: readonly string[]): Promise<void> {
  const { relation, run } = context;
  const name = uniqueIndexName(relation);
  const found = await run(indexExists(relation, name));
  if (found.rows.length === 0) await run(createUniqueIndex(relation, name, uniqueKey));
}

/** Materializes the batch once, then merges, deletes and inserts, or appends it. */
async function foldBatch(context: MaterializeContext, uniqueKey: readonly string[] | undefined): Promise<MaterializeResult> {
  const { node, relation, run } = context;
  const config = node.model.incremental!;
  const columns = Object.keys(node.model.columns);
  const list = sql.join(columns.map((c) => sql.id(c)));
  const target = sql.id(relation.schema, relation.name);
  const batchName = node.changedRows;
  if (!batchName) throw new Error(`incremental model ${node.name} was planned without a changed-rows relation`);
  const batch = sql.id(batchName.schema, batchName.name);
  const changedRows = { changedRows: batchName };
  // The event-time window applies to the batch too, so a run never touches older rows.
  const window = config.eventTime
    ? sql`where ${sql.ref(config.eventTime)} >= ${eventTimeFloor(config, sql`(select max(${sql.ref(config.eventTime)}) from ${target})`)}`
    : sql``;
  await run(sqlText(sql`drop table if exists ${batch}`));
  // unlogged: the batch is scratch for this run and its tests, not worth write-ahead logging
  await run(sqlText(sql`create unlogged table ${batch} as select ${list} from ${sql.id(MODEL_QUERY_VIEW.schema, MODEL_QUERY_VIEW.name)} ${window}`));
  const batchRows = Number(((await run(countRows(batchName))).rows[0] as { n: string }).n);
  await run(dropQueryView());
  if (uniqueKey) await assertUniqueBatch(context, uniqueKey, batch);
  if (config.strategy === 'append' || !uniqueKey) {
    const inserted = await run(sqlText(sql`insert into ${target} (${list}) select ${list} from ${batch}`));
    return { rowsAffected: Number(inserted.numAffectedRows ?? 0), summary: `appended ${batchRows} rows`, ...changedRows };
  }
  const keys = sql.join(uniqueKey.map((c) => sql.id(c)));
  if (config.strategy === 'delete+insert') {
    const match = sql.join(uniqueKey.map((c) => sql`t.${sql.id(c)} = b.${sql.id(c)}`), sql` and `);
    const deleted = await run(sqlText(sql`delete from ${target} as t using (select distinct ${keys} from ${batch}) as b where ${match}`));
    const inserted = await run(sqlText(sql`insert into ${target} (${list}) select ${list} from ${batch}`));
    return {
      rowsAffected: Number(inserted.numAffectedRows ?? 0),
      summary: `replaced ${deleted.numAffectedRows ?? 0} rows with ${inserted.numAffectedRows ?? 0}`,
      ...changedRows,
    };
  }
  const others = columns.filter((c) => !uniqueKey.includes(c));
  // Unchanged rows are not rewritten: no dead tuples, no churn for readers.
  const changed = others.length > 0
    ? sql`do update set ${sql.join(others.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))} where (${sql.join(others.map((c) => sql`t.${sql.id(c)}`))}) is distinct from (${sql.join(others.map((c) => sql`excluded.${sql.id(c)}`))})`
    : sql`do nothing`;
  const merged = await run(sqlText(sql`insert into ${target} as t (${list}) select ${list} from ${batch} on conflict (${keys}) ${changed}`));
  return { rowsAffected: Number(merged.numAffectedRows ?? 0), summary: `merged ${batchRows} rows, ${merged.numAffectedRows ?? 0} new or changed`, ...changedRows };
}

/** A key twice in one batch would make the result depend on row order: refuse it, naming a key. */
async function assertUniqueBatch(context: MaterializeContext, uniqueKey: readonly string[], batch: RawBuilder<unknown>): Promise<void> {
  const keys = sql.join(uniqueKey.map((c) => sql.id(c)));
  const found = await context.run(sqlText(sql`select ${keys}, count(*) as n from ${batch} group by ${keys} having count(*) > 1 limit 1`));
  const row = found.rows[0] as Record<string, unknown> | undefined;
  if (row) {
    const key = uniqueKey.map((c) => `${c}=${String(row[c])}`).join(', ');
    throw new WarehouseError(
      ErrorCode.sqlFailed,
      `model ${context.node.name}: the incremental batch has ${String(row.n)} rows for ${key}; the query must return one row per unique key (${uniqueKey.join(', ')})`,
    );
  }
}
