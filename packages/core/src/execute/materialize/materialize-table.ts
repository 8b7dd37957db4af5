import {
  analyze,
  comments,
  createQueryView,
  createTableAsQueryView,
  createTableFromContract,
  dropQueryView,
  dropRelation,
  insertFromQueryView,
  QUERY_VIEW_PREFIX,
  staged,
} from '../../compile/ddl.js';
import { checkContract } from './check-contract.js';
import type { Materialization } from './materialize-context.js';
import { relationColumns } from './relation-columns.js';
import { MODEL_QUERY_VIEW } from '../../compile/ddl.js';

/**
 * `table`: stage the query as a temporary view, check it against the contract, fill a new
 * table built from the contract's DDL, then swap it in. All in the model's transaction, so a
 * failure at any step leaves the previous table as it was and nothing behind.
 */
export const materializeTable: Materialization = async ({ node, relation, run, swap, transaction }) => {
  const { model } = node;
  const next = staged(relation);
  await run(dropQueryView());
  await run(createQueryView(node.sql), QUERY_VIEW_PREFIX.length);
  if (model.contract.enforced) checkContract(model.name, model.columns, await relationColumns(transaction, MODEL_QUERY_VIEW));
  await run(dropRelation(next, 'table', true));
  let rowsAffected: number;
  if (model.contract.enforced) {
    await run(createTableFromContract(next, model.columns));
    const inserted = await run(insertFromQueryView(next, Object.keys(model.columns)));
    rowsAffected = Number(inserted.numAffectedRows ?? 0);
  } else {
    const created = await run(createTableAsQueryView(next));
    rowsAffected = Number(created.numAffectedRows ?? 0);
  }
  await run(dropQueryView());
  for (const statement of comments(next, 'table', model.description, model.columns)) await run(statement);
  await run(analyze(next));
  await swap(relation, 'table');
  return { rowsAffected };
};
