import { comments, createView, createViewPrefix, dropRelation, staged } from '../../compile/ddl.js';
import { checkContract } from './check-contract.js';
import { applyGrants } from './apply-grants.js';
import type { Materialization } from './materialize-context.js';
import { relationColumns } from './relation-columns.js';

/**
 * `view`: create the new view beside the old one, check it against the contract, then swap it
 * in, so views that read this one are re-bound instead of dropped.
 */
export const materializeView: Materialization = async (context) => {
  const { node, relation, run, swap, transaction } = context;
  const { model } = node;
  const next = staged(relation);
  const columns = model.contract.enforced ? Object.keys(model.columns) : undefined;
  const embedded = (prefix: string) => ({ at: prefix.length, sql: node.sql, path: node.compiledPath });
  await run(dropRelation(next, 'view', true));
  // Without a contract the view is created as the query is; with one, first check the raw
  // query's columns, then pick them in contract order.
  if (columns) {
    await run(createView(next, node.sql, undefined), embedded(createViewPrefix(next, undefined)));
    checkContract(model.name, model.columns, await relationColumns(transaction, next));
    await run(dropRelation(next, 'view'));
  }
  await run(createView(next, node.sql, columns), embedded(createViewPrefix(next, columns)));
  for (const statement of comments(next, 'view', model.description, model.columns)) await run(statement);
  await applyGrants(context, next);
  await swap(relation, 'view');
  return {};
};
