import {
  analyze,
  comments,
  createTableAsQueryView,
  createTableFromContract,
  addPrimaryKey,
  countRows,
  createIndex,
  primaryKeyName,
  createUniqueIndex,
  extraIndexName,
  dropQueryView,
  dropRelation,
  insertFromQueryView,
  renameIndex,
  staged,
  uniqueIndexName,
} from '../../compile/ddl.js';
import type { Columns } from '../../model/columns.js';
import { applyGrants } from './apply-grants.js';
import type { Materialization, MaterializeContext } from './materialize-context.js';
import { stageModelQuery } from './stage-query.js';

/**
 * `table`: stage the query as a temporary view, check it against the contract, fill a new
 * table built from the contract's DDL, then swap it in. All in the model's transaction, so a
 * failure at any step leaves the previous table as it was and nothing behind.
 */
export const materializeTable: Materialization = async (context) => {
  await stageModelQuery(context, 'full');
  const rowsAffected = await fillStagedTable(context);
  await swapStagedTable(context);
  return { rowsAffected };
};

/**
 * Creates `<name>__wh_new` from the contract (or as the query, without an enforced contract)
 * and fills it from the staged query. With `uniqueKey`, a unique index backs the key.
 */
export async function fillStagedTable(context: MaterializeContext, options: { uniqueKey?: readonly string[] } = {}): Promise<number> {
  const { node, relation, run } = context;
  const { model } = node;
  const next = staged(relation);
  await run(dropRelation(next, 'table', true));
  let rowsAffected: number;
  if (model.contract.enforced) {
    await run(createTableFromContract(next, model.columns));
    const inserted = await run(insertFromQueryView(next, Object.keys(model.columns)));
    rowsAffected = Number(inserted.numAffectedRows ?? 0);
  } else {
    await run(createTableAsQueryView(next));
    // CREATE TABLE AS reports no row count through the drivers: count what it made
    rowsAffected = Number(((await run(countRows(next))).rows[0] as { n: string }).n);
  }
  await run(dropQueryView());
  await createStagedIndexes(context, options.uniqueKey);
  await applyGrants(context, next);
  return rowsAffected;
}

/** The unique index on `uniqueKey` and the model's extra indexes, on the staged table. */
export async function createStagedIndexes(context: MaterializeContext, uniqueKey: readonly string[] | undefined): Promise<void> {
  const { node, relation, run } = context;
  const next = staged(relation);
  if (node.model.contract.primaryKey) await run(addPrimaryKey(next, primaryKeyName(relation, true), node.model.contract.primaryKey));
  if (uniqueKey) await run(createUniqueIndex(next, uniqueIndexName(relation, true), uniqueKey));
  for (const [n, columns] of node.indexes.entries()) await run(createIndex(next, extraIndexName(relation, n + 1, true), columns));
}

/** Documents, analyzes and swaps in the staged table; its unique index takes the final name. */
export async function swapStagedTable(context: MaterializeContext, options: { uniqueKey?: readonly string[] } = {}): Promise<void> {
  const { node, relation, run, swap } = context;
  const next = staged(relation);
  for (const statement of comments(next, 'table', node.model.description, node.model.columns as Columns)) await run(statement);
  await run(analyze(next));
  await swap(relation, 'table');
  // the constraint and indexes built on the staged table take their final names
  if (node.model.contract.primaryKey) await run(renameIndex(relation.schema, primaryKeyName(relation, true), primaryKeyName(relation)));
  if (options.uniqueKey) await run(renameIndex(relation.schema, uniqueIndexName(relation, true), uniqueIndexName(relation)));
  for (const n of node.indexes.keys()) {
    await run(renameIndex(relation.schema, extraIndexName(relation, n + 1, true), extraIndexName(relation, n + 1)));
  }
}


