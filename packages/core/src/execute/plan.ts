import type { RelationName } from '../compile/ddl.js';
import { relationNamesFor, domainSchema, type SchemaNaming } from '../compile/relation-names.js';
import { renderModelSql, type RelationNames, type RenderedSql } from '../compile/render-model-sql.js';
import { snapshotVersionKey, type AnyModel } from '../model/define-model.js';
import type { ModelNode, ProjectGraph, TestNode } from '../graph/project-graph.js';
import type { DataTest } from '../quality/collect-tests.js';
import { renderChangedRowsTestSql, renderLandedRowsTestSql, renderTestSql } from '../quality/render-test-sql.js';
import { planAccess, type AccessPlan } from '../access/domain-roles.js';

/** One model to build, with its SQL compiled for the target. */
export interface PlannedNode {
  id: string;
  name: string;
  package: string;
  model: AnyModel;
  /** The schema the model is built in on this target. */
  schema: string;
  /** The model's compiled SELECT (for a full build). */
  sql: string;
  /** For incremental models and snapshots: the SELECT of a run that adds to the existing table. */
  incrementalSql?: string;
  /** Columns of the model's table whose current maximum the incremental SELECT uses. */
  selfMaxColumns?: string[];
  /** With database roles on: the domain roles that may read the model, and all domain roles. */
  grants?: { readers: string[]; roles: string[] };
  /** Whether the incremental SELECT differs from the full one (it asked isIncremental or selfMax). */
  incrementalIsPartial?: boolean;
  /** The incremental SELECT with those maxima written in as literals (what actually runs). */
  renderIncremental?: (selfMaxValues: Readonly<Record<string, string | null>>) => string;
  /**
   * Indexes to keep on the table: the model's own, then one per column whose maximum its
   * incremental SELECT reads (not already leading an index), so that is a lookup, not a scan.
   */
  indexes: string[][];
  /** For incremental models: where a run that adds to the table leaves the rows it wrote. */
  changedRows?: RelationName;
  /** Planned nodes it waits for (dependencies outside the selection are assumed built). */
  dependsOn: string[];
  /** Where the compiled SQL is written, relative to the project root. */
  compiledPath: string;
}

/** One data test to run, with its failing-rows SQL compiled for the target. */
export interface PlannedTest {
  id: string;
  name: string;
  package: string;
  test: DataTest;
  /** Returns the failing rows; none means the test passes. */
  sql: string;
  /** The test on only the rows an incremental run of the tested model wrote, where it can be scoped. */
  changedRowsSql?: string;
  /**
   * For a test on a source: the source's landed-at column, and the test on the rows landed
   * after one of its values and up to another, where it can be scoped.
   */
  landed?: { relation: RelationName; column: string; sql?: (from: string, through: string) => string };
  /** Set when a constraint of the tested table already guarantees the test: it is not queried. */
  guaranteedBy?: string;
  /** Planned models it waits for. */
  dependsOn: string[];
  compiledPath: string;
}

export interface ExecutionPlan {
  target: string;
  /** Models, in dependency order. */
  nodes: PlannedNode[];
  /** Data tests; each runs once what it tests is built. */
  tests: PlannedTest[];
  fullRefresh: boolean;
  /** Schema of stored test failures on this target. */
  auditSchema: string;
  /** Schema where incremental runs leave the rows they wrote, for the tests that follow. */
  changesSchema: string;
  /** Domain roles and grants to set up before building, when database roles are on. */
  access?: AccessPlan;
}

export interface PlanOptions extends SchemaNaming {
  targetName: string;
  fullRefresh?: boolean;
  /** Test ids to run (from `selectNodes`); a model waits for the error tests of its parents. */
  tests?: readonly string[];
  /** Give each domain a role that can read only what the access rules allow (`<prefix><domain>`). */
  roles?: { prefix: string };
}

/** Compiles the selected models for a target, in dependency order. */
export function plan(graph: ProjectGraph, selected: readonly string[], options: PlanOptions): ExecutionPlan {
  const names = relationNamesFor(graph, options);
  const chosen = new Set(selected);
  const access = options.roles ? planAccess(graph, { ...options, rolePrefix: options.roles.prefix }) : undefined;
  const changesSchema = `${options.schemaPrefix ?? ''}warehouse_changes`;
  const changedRowsOf = (model: AnyModel): RelationName | undefined =>
    model.materialized === 'incremental' ? { schema: changesSchema, name: model.relationName } : undefined;
  const nodes = graph.order
    .filter((id) => chosen.has(id))
    .map((id): PlannedNode => {
      const node = graph.nodes.get(id) as ModelNode;
      const { sql: sqlText, incremental: renderedIncremental } = compiledSelects(node, names, options);
      const changedRows = changedRowsOf(node.model);
      const incrementalOptions = { targetName: options.targetName, incremental: true };
      return {
        id,
        name: node.name,
        package: node.package,
        model: node.model,
        schema: domainSchema(node.model.domain, options),
        sql: sqlText,
        ...(renderedIncremental
          ? {
              incrementalSql: renderedIncremental.sql,
              incrementalIsPartial: renderedIncremental.askedIncremental === true,
              selfMaxColumns: renderedIncremental.selfMaxColumns,
              renderIncremental: (selfMaxValues: Readonly<Record<string, string | null>>) =>
                renderModelSql(node.model, names, { ...incrementalOptions, selfMaxValues }).sql,
            }
          : {}),
        indexes: indexesFor(node.model, renderedIncremental?.selfMaxColumns ?? []),
        ...(changedRows ? { changedRows } : {}),
        dependsOn: node.dependsOn.filter((d) => chosen.has(d)),
        compiledPath: compiledPathOf(node),
        ...(access ? { grants: { readers: access.readers[id] ?? [], roles: access.roles } } : {}),
      };
    });
  const tests = (options.tests ?? []).map((id): PlannedTest => {
    const node = graph.nodes.get(id) as TestNode;
    const tested = graph.nodes.get(node.test.attachedTo);
    const changes = tested?.type === 'model' ? changedRowsOf(tested.model) : undefined;
    const changedRowsSql = changes ? renderChangedRowsTestSql(graph, node, names, options.targetName, changes) : undefined;
    const landedSql = renderLandedRowsTestSql(graph, node, names, options.targetName);
    const landed =
      tested?.type === 'source'
        ? { relation: { schema: names.sourceSchema(tested.source.system), name: tested.source.name }, column: tested.source.loadedAt, ...(landedSql ? { sql: landedSql } : {}) }
        : undefined;
    return {
      id,
      name: node.name,
      package: node.package,
      test: node.test,
      sql: renderTestSql(graph, node, names, options.targetName),
      ...(changedRowsSql ? { changedRowsSql } : {}),
      ...(landed ? { landed } : {}),
      ...guarantee(graph, node),
      dependsOn: node.dependsOn.filter((d) => chosen.has(d)),
      compiledPath: `target/compiled/${node.package.replace(/^@[^/]+\//, '')}/tests/${node.name}.sql`,
    };
  });
  // A model waits for the error-severity tests of the models it reads: a failing one skips it.
  // (tests on sources block the models that read the source)
  const blocking = new Map<string, string[]>();
  for (const test of tests) {
    if ((test.test.options.severity ?? 'error') !== 'error') continue;
    blocking.set(test.test.attachedTo, [...(blocking.get(test.test.attachedTo) ?? []), test.id]);
  }
  for (const node of nodes) {
    const parents = (graph.nodes.get(node.id) as ModelNode).dependsOn;
    node.dependsOn = [...node.dependsOn, ...parents.flatMap((d) => blocking.get(d) ?? [])];
  }
  return {
    target: options.targetName,
    nodes,
    tests,
    fullRefresh: options.fullRefresh ?? false,
    auditSchema: `${options.schemaPrefix ?? ''}warehouse_audit`,
    changesSchema,
    ...(access ? { access } : {}),
  };
}

/**
 * A model's SELECT on a target as a full build runs it and, for incremental models and
 * snapshots, the render of a run that adds to the table (with subqueries for the maxima).
 */
export function compiledSelects(node: Pick<ModelNode, 'model' | 'neutralSql'>, names: RelationNames, options: PlanOptions): { sql: string; incremental?: RenderedSql } {
  // without a schema prefix the assembly's render is this target's SQL already
  const sql =
    !options.schemaPrefix && node.neutralSql !== undefined ? node.neutralSql : renderModelSql(node.model, names, { targetName: options.targetName, incremental: false }).sql;
  const incremental = node.model.materialized === 'incremental' || node.model.materialized === 'snapshot';
  return incremental ? { sql, incremental: renderModelSql(node.model, names, { targetName: options.targetName, incremental: true }) } : { sql };
}

/** The files `target/compiled/` holds for a model: its SELECT and, where it has one, its incremental SELECT. */
export function compiledModelFiles(node: Pick<ModelNode, 'package' | 'name'>, selects: { sql: string; incremental?: { sql: string } }): Array<readonly [string, string]> {
  const path = compiledPathOf(node);
  return selects.incremental ? [[path, `${selects.sql}\n`], [incrementalPathOf(path), `${selects.incremental.sql}\n`]] : [[path, `${selects.sql}\n`]];
}

/** `target/compiled/<package without scope>/<model>.sql` */
export function compiledPathOf(node: Pick<ModelNode, 'package' | 'name'>): string {
  return `target/compiled/${node.package.replace(/^@[^/]+\//, '')}/${node.name}.sql`;
}

/** `x.sql` -> `x.incremental.sql`, where the SELECT of an incremental run is written. */
export const incrementalPathOf = (compiledPath: string): string => compiledPath.replace(/\.sql$/, '.incremental.sql');

/** The model's indexes, plus one for each column whose maximum incremental runs read. */
function indexesFor(model: AnyModel, selfMaxColumns: readonly string[]): string[][] {
  const declared = (model.indexes ?? []).map((columns) => [...columns]);
  const key = model.materialized === 'incremental' ? (model.incremental?.uniqueKey ?? model.grain) : model.materialized === 'snapshot' ? model.snapshot?.uniqueKey : undefined;
  const leading = new Set([...declared.map((columns) => columns[0]), key?.[0], model.contract.primaryKey?.[0]]);
  return [...declared, ...selfMaxColumns.filter((column) => !leading.has(column)).map((column) => [column])];
}

/** `tests/x.sql` -> `tests/x.changed.sql`, the test on the rows an incremental run wrote. */
export const changedRowsPathOf = (compiledPath: string): string => compiledPath.replace(/\.sql$/, '.changed.sql');

/**
 * A NOT NULL column or a primary/unique key of a table (an incremental model's unique key, a
 * snapshot's entity key and valid_from) makes its not_null or unique test pass by
 * construction: querying millions of rows every night to confirm it would only cost.
 */
function guarantee(graph: ProjectGraph, node: TestNode): { guaranteedBy?: string } {
  const test = node.test;
  const tested = graph.nodes.get(test.attachedTo);
  if (tested?.type !== 'model' || test.options.where || test.options.storeFailures) return {};
  const model = tested.model;
  if (model.materialized === 'view' || !model.contract.enforced) return {};
  const columns = test.column ? [test.column] : ((test.params.columns as string[] | undefined) ?? []);
  if (test.kind === 'not_null' && columns.length === 1 && model.columns[columns[0]!]?.nullable === false) {
    return { guaranteedBy: `the NOT NULL constraint on ${columns[0]}` };
  }
  if (test.kind === 'unique') {
    const same = (key: readonly string[] | undefined) => key !== undefined && [...key].sort().join() === [...columns].sort().join();
    if (same(model.contract.primaryKey)) return { guaranteedBy: `the primary key (${columns.join(', ')})` };
    if (same(uniqueIndexOf(model))) return { guaranteedBy: `the unique index on (${columns.join(', ')})` };
  }
  return {};
}

/** The columns a model's materialization keeps a unique index on, besides its primary key. */
function uniqueIndexOf(model: AnyModel): readonly string[] | undefined {
  if (model.materialized === 'incremental' && model.incremental?.strategy !== 'append') return model.incremental?.uniqueKey ?? model.grain;
  if (model.materialized === 'snapshot' && model.snapshot) return snapshotVersionKey(model.snapshot);
  return undefined;
}
