import { sql, type RawBuilder } from 'kysely';
import type { RelationName } from '../compile/ddl.js';
import { renderSql, type RelationNames } from '../compile/render-model-sql.js';
import { sqlText } from '../compile/sql-text.js';
import type { GraphNode, ProjectGraph, TestNode } from '../graph/project-graph.js';
import { isModel } from '../model/define-model.js';
import { isSource } from '../model/define-source.js';

/** The qualified relation of a model or source node on a target. */
function relationOf(node: GraphNode, names: RelationNames): RawBuilder<unknown> {
  if (node.type === 'source') return sql`${sql.id(names.sourceSchema(node.source.system), node.source.name)}`;
  if (node.type === 'model') return sql`${sql.id(names.modelSchema(node.name)!, node.name)}`;
  throw new Error(`a test cannot test ${node.id}`);
}

/** Test kinds whose verdict on a row depends only on that row (and, for unique, its key's rows). */
const ROW_LEVEL = new Set(['not_null', 'accepted_values', 'relationships', 'expression', 'unique']);

/**
 * The SQL that returns a test's failing rows on a target: no rows means the test passes.
 * Deterministic text, identifiers quoted by kysely, values as literals.
 */
export function renderTestSql(graph: ProjectGraph, node: TestNode, names: RelationNames, targetName: string): string {
  return renderOn(graph, node, names, targetName, undefined);
}

/**
 * The same test on only the rows an incremental run wrote (the `changes` table), or undefined when the
 * test cannot be scoped (row_count, custom SQL, `scope: 'all'`). A unique test looks up the
 * changed keys in the whole table, since a new row can collide with an old one.
 */
export function renderChangedRowsTestSql(graph: ProjectGraph, node: TestNode, names: RelationNames, targetName: string, changes: RelationName): string | undefined {
  if (!scopable(node)) return undefined;
  return renderOn(graph, node, names, targetName, sql`${sql.id(changes.schema, changes.name)}`);
}

/**
 * For a test on a source: the test on the rows landed after `from` and up to `through` (values
 * of the source's loadedAt column), or undefined when the test cannot be scoped.
 */
export function renderLandedRowsTestSql(graph: ProjectGraph, node: TestNode, names: RelationNames, targetName: string): ((from: string, through: string) => string) | undefined {
  const tested = graph.nodes.get(node.test.attachedTo);
  if (tested?.type !== 'source' || !scopable(node)) return undefined;
  const landed = sql.ref(tested.source.loadedAt);
  const relation = relationOf(tested, names);
  return (from, through) => renderOn(graph, node, names, targetName, sql`(select * from ${relation} where ${landed} > ${sql.lit(from)} and ${landed} <= ${sql.lit(through)})`);
}

const scopable = (node: TestNode) => node.test.options.scope !== 'all' && ROW_LEVEL.has(node.test.kind);

/** The test's failing-rows query on the whole relation, or on `some` of its rows. */
function renderOn(graph: ProjectGraph, node: TestNode, names: RelationNames, targetName: string, some: RawBuilder<unknown> | undefined): string {
  const { test } = node;
  const tested = graph.nodes.get(test.attachedTo)!;
  const column = test.column ? sql.id(test.column) : undefined;
  const params = test.params as Record<string, any>;
  const whole = relationOf(tested, names);
  let relation = whole;
  if (some) {
    if (test.kind === 'unique') {
      const keys = sql.join((test.column ? [test.column] : (params.columns as string[])).map((c) => sql.id(c)));
      relation = sql`(select * from ${whole} where (${keys}) in (select ${keys} from ${some} as scoped))`;
    } else {
      relation = some;
    }
  }
  // (a subquery in FROM needs an alias; the whole relation keeps its name for `where`)
  const subject = test.options.where ? sql`(select * from ${relation}${some ? sql` as w` : sql``} where ${sql.raw(test.options.where)})` : relation;
  switch (test.kind) {
    case 'not_null':
      return sqlText(sql`select * from ${subject} as t where ${column!} is null`);
    case 'unique': {
      const columns = test.column ? [test.column] : (params.columns as string[]);
      const list = sql.join(columns.map((c) => sql.id(c)));
      const present = sql.join(columns.map((c) => sql`${sql.id(c)} is not null`), sql` and `);
      return sqlText(sql`select ${list}, count(*) as n_records from ${subject} as t where ${present} group by ${list} having count(*) > 1`);
    }
    case 'accepted_values': {
      const values = sql.join((params.values as unknown[]).map((v) => sql.lit(v as string)));
      return sqlText(sql`select ${column!} as value, count(*) as n_records from ${subject} as t where ${column!} is not null and ${column!} not in (${values}) group by 1`);
    }
    case 'relationships': {
      const target = isSource(params.to)
        ? graph.nodes.get(`source.${params.to.system}.${params.to.name}`)!
        : graph.nodes.get(`model.${isModel(params.to) ? params.to.relationName : (names.resolveModel(String(params.to)) ?? String(params.to))}`)!;
      const field = sql.id(String(params.field));
      return sqlText(sql`select child.${column!} as missing_key, count(*) as n_records from ${subject} as child
        where child.${column!} is not null and not exists (select from ${relationOf(target, names)} as parent where parent.${field} = child.${column!})
        group by 1`);
    }
    case 'expression': {
      // on a column, nulls pass (not_null is the test for them); on a model, a null result fails
      if (column) return sqlText(sql`select * from ${subject} as t where ${column} is not null and not (${column} ${sql.raw(String(params.expression))})`);
      return sqlText(sql`select * from ${subject} as t where not coalesce((${sql.raw(String(params.expression))}), false)`);
    }
    case 'row_count': {
      const min = params.min === undefined ? sql`false` : sql`count(*) < ${sql.lit(Number(params.min))}`;
      const max = params.max === undefined ? sql`false` : sql`count(*) > ${sql.lit(Number(params.max))}`;
      return sqlText(sql`select count(*) as row_count from ${subject} as t having ${min} or ${max}`);
    }
    case 'sql':
      return renderSql(`test ${node.name}`, undefined, params.sql, 'test', names, targetName, { self: () => sqlText(subject) }).sql;
  }
}
