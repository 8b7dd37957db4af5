/**
 * @warehouse/core: the model DSL, graph assembly and selection, SQL compilation, database
 * adapters, the executor and artifacts. Domain packages use the DSL; the runner uses the rest.
 */

// errors
export { ErrorCode, WarehouseError, isWarehouseError, type Problem } from './errors/warehouse-error.js';

// model DSL
export type { PgType, ScalarPgType, TsTypeOf } from './model/column-types.js';
export { canonicalPgType, parsePgType, pgTypeFits } from './model/column-types.js';
export type { ColumnSpec, Columns, RowOf } from './model/columns.js';
export {
  defineModel,
  isModel,
  type Access,
  type AnyModel,
  type Materialization,
  type Model,
  type ModelConfig,
  type ModelContext,
  type ModelKind,
  type ModelRow,
  type Relation,
  type SourceRow,
} from './model/define-model.js';
export { defineSource, isSource, sourceName, type AnySource, type FreshnessRule, type Source, type SourceConfig } from './model/define-source.js';
export { rowSchemaFor } from './model/row-schema.js';
export { siteOf, type DefinitionSite, type GeneratedPosition } from './model/defined-at.js';
export {
  isPersistable,
  recordDefinitions,
  restoreDefinitions,
  type DefinitionRecords,
  type RecordedDefinition,
  type RecordOptions,
  type RestoreOptions,
} from './model/definition-records.js';
export { NOT_APPLICABLE_KEY, surrogateKey, UNKNOWN_KEY, validAt } from './model/sql-helpers.js';
export { sql, type RawBuilder } from 'kysely';
export { defineKpi, isKpi, type Kpi, type KpiConfig, type KpiContext, type KpiPeriod, type KpiUnit } from './kpi/define-kpi.js';
export { renderKpiSql, runKpi, type KpiRequest, type KpiResult } from './kpi/run-kpi.js';

// data tests
export type { ColumnTest, RelationTest, SqlTestContext, TestKind, TestOptions } from './quality/data-test-config.js';
export type { DataTest } from './quality/collect-tests.js';
export { checkFreshness, type FreshnessResult } from './quality/source-freshness.js';

// graph
export { assembleGraph, buildGraph, type AssembledGraph } from './graph/assemble-graph.js';
export { closestName } from './graph/closest-name.js';
export { collectDefinitions } from './graph/collect-definitions.js';
export { findCycles } from './graph/find-cycles.js';
export { parseSelector, selectorMethods, type Selector, type SelectorAtom } from './graph/parse-selector.js';
export {
  modelId,
  modelNodes,
  sourceId,
  type GraphNode,
  type KpiNode,
  type ModelNode,
  type ProjectGraph,
  type SourceNode,
  type TestNode,
  testsOf,
  type WarehousePackage,
} from './graph/project-graph.js';
export { select, selectNodes, type SelectOptions } from './graph/select.js';
export { topologicalOrder } from './graph/topological-order.js';

// compile
export { domainSchema, relationNamesFor, sourceSchema, type SchemaNaming } from './compile/relation-names.js';
export { renderModelSql, type RelationNames, type RenderedSql } from './compile/render-model-sql.js';
export { queryBuilder, sqlText } from './compile/sql-text.js';
export { compileProject, type CompiledPackage, type CompileOptions, type CompileOutcome, type CompileUnit, type ProjectChecks } from './compile/compile-project.js';

// adapters
export type { Adapter, CopyTarget } from './adapter/adapter.js';
export { createAdapter, type AdapterSettings } from './adapter/create-adapter.js';
export { databaseErrorOf, describeDatabaseError, isServerWideDatabaseError, isTransientDatabaseError } from './adapter/database-error.js';
export { startupOptions } from './adapter/startup-options.js';

// execute
export { execute, type ExecuteOptions } from './execute/execute-plan.js';
export { createLandingTables, summarizeLandingIndexes } from './execute/landing-tables.js';
export { plan, compiledPathOf, type ExecutionPlan, type PlannedNode, type PlannedTest, type PlanOptions } from './execute/plan.js';
export { countByStatus, type NodeError, type NodeResult, type NodeStatus, type RunResult } from './execute/run-result.js';
export type { RunEvent, RunEventListener } from './events/run-events.js';

// access
export { domainRole, planAccess, setupAccess, type AccessPlan } from './access/domain-roles.js';

// artifacts
export { buildManifest, MANIFEST_SCHEMA_VERSION, type Manifest, type ManifestModel, type ManifestSource } from './artifacts/manifest.js';
export { META_SCHEMA, ensureRunHistory, recentRuns, recordRun, testScopesFromHistory, type TestScopes } from './artifacts/run-history.js';
export { openCompiledFiles, writeCompiledSql, writeManifest, writeRunResults, type CompiledFiles } from './artifacts/write-artifacts.js';

// config
export {
  defineConfig,
  parseConfig,
  resolveTarget,
  warehouseConfigSchema,
  type ParsedConfig,
  type ResolvedTarget,
  type TargetConfig,
  type WarehouseConfig,
  type WarehouseConfigInput,
} from './config/warehouse-config.js';

// load
export { describeRows, loadFile, type LoadFormat, type LoadOptions, type LoadResult, type QuarantinedRow } from './load/load-file.js';
export { ensureLoadHistory, LOADS_TABLE, QUARANTINE_TABLE } from './load/load-history.js';
