import { sql, type RawBuilder } from 'kysely';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import { isModel, type AnyModel, type IncrementalConfig, type ModelContext, type Relation } from '../model/define-model.js';
import { isSource, type AnySource } from '../model/define-source.js';
import { queryBuilder, sqlText, type SqlSource } from './sql-text.js';

/** Where relations live on a target: the schema of each model and each source system. */
export interface RelationNames {
  /** The schema of the model with this relation name; undefined when the project has no such model. */
  modelSchema(name: string): string | undefined;
  /**
   * The relation name a ref by name means: the name itself, or for a versioned model its latest
   * version (or the one asked for). Undefined when there is no such model or version.
   */
  resolveModel(name: string, version?: number): string | undefined;
  /** The landing schema of an operational system, e.g. `raw_sales`. */
  sourceSchema(system: string): string;
}

export interface RenderOptions {
  targetName: string;
  /** Whether `isIncremental()` answers true. */
  incremental: boolean;
  /**
   * The table's current maxima (as text, null when empty) for `selfMax()` and the event-time
   * window. Given, they are written as literals, so the planner sees the real watermark;
   * without, the SQL reads them with subqueries (as in the compiled file).
   */
  selfMaxValues?: Readonly<Record<string, string | null>>;
}

export interface RenderedSql {
  sql: string;
  /** Names of the models the body referenced, in first-use order. */
  refs: string[];
  /** Sources the body referenced as `system.name`, in first-use order. */
  sources: string[];
  /** Names referenced that the project does not have. */
  missingRefs: string[];
  /** Columns of the model's own table whose maximum the SQL uses (selfMax, eventTimeFilter). */
  selfMaxColumns: string[];
  /** Whether the body asked isIncremental() (if not, an incremental render gives the same SQL). */
  askedIncremental?: boolean;
  /** Whether the body read `target` (its SQL then differs between targets). */
  usedTarget?: boolean;
}

const relation = <Row>(schema: string, name: string): Relation<Row> => sql<Row>`${sql.table(`${schema}.${name}`)}`;

/** The parts of a context every SQL body gets: relations that record what they read. */
export interface SqlContextBase {
  ref: ModelContext['ref'];
  source: ModelContext['source'];
  db: ModelContext['db'];
  target: ModelContext['target'];
}

/**
 * Runs a SQL body (a model's or a KPI's) with a context whose `ref`/`source` resolve to
 * qualified relations on the target, and returns the SQL text with every relation it read.
 * `label` names the definition in errors, e.g. `model wh_fact_sales`.
 */
export function renderSql<C extends SqlContextBase>(
  label: string,
  definedAt: string | undefined,
  body: (context: C) => SqlSource,
  names: RelationNames,
  targetName: string,
  extend: (base: SqlContextBase) => C,
  selfMaxColumns: Set<string> = new Set(),
): RenderedSql {
  const refs = new Set<string>();
  const sources = new Set<string>();
  const missingRefs = new Set<string>();
  let usedTarget = false;

  const refByName = (name: string, version?: number): Relation<any> => {
    const resolved = names.resolveModel(name, version);
    const schema = resolved === undefined ? undefined : names.modelSchema(resolved);
    if (resolved === undefined || schema === undefined) {
      missingRefs.add(version === undefined ? name : `${name} v${version}`);
      return relation('__missing__', name);
    }
    refs.add(resolved);
    return relation(schema, resolved);
  };

  const base: SqlContextBase = {
    ref: ((target: AnyModel | string, options?: { version?: number }) => {
      if (typeof target === 'string') return refByName(target, options?.version);
      if (isModel(target)) return refByName(target.name, target.version);
      throw new TypeError(`ref() takes a model or a model name, got ${describe(target)}`);
    }) as ModelContext['ref'],
    source: ((target: AnySource | string, table?: string) => {
      const [system, name] = isSource(target) ? [target.system, target.name] : [target, table];
      if (typeof system !== 'string' || typeof name !== 'string') {
        throw new TypeError(`source() takes a source, or a system and a table name, got ${describe(target)}`);
      }
      sources.add(`${system}.${name}`);
      return relation(names.sourceSchema(system), name);
    }) as ModelContext['source'],
    db: queryBuilder,
    // a getter on the name, not on target: spreading the context must not count as a read
    target: {
      get name() {
        usedTarget = true;
        return targetName;
      },
    },
  };

  let text: string;
  try {
    const result = body(extend(base));
    if (!result || typeof (result as { toOperationNode?: unknown }).toOperationNode !== 'function') {
      throw new TypeError(`sql() must return a kysely sql\`...\` template or query builder, got ${describe(result)}`);
    }
    text = sqlText(result);
  } catch (error) {
    const where = definedAt ? ` (${definedAt})` : '';
    throw new WarehouseError(
      ErrorCode.modelSqlFailed,
      `${label}${where}: its sql() failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return {
    sql: text.trim(),
    refs: [...refs],
    sources: [...sources],
    missingRefs: [...missingRefs],
    selfMaxColumns: [...selfMaxColumns].sort(),
    usedTarget,
  };
}

/** Renders a model's SQL on a target; `isIncremental()` answers `options.incremental`. */
export function renderModelSql(model: AnyModel, names: RelationNames, options: RenderOptions): RenderedSql {
  const self = () => relation<any>(names.modelSchema(model.relationName) ?? '__missing__', model.relationName);
  const used = new Set<string>();
  let askedIncremental = false;
  const maximum = (column: string): RawBuilder<unknown> => {
    used.add(column);
    const values = options.selfMaxValues;
    if (values === undefined) return sql`(select max(${sql.ref(column)}) from ${self()})`;
    const value = values[column];
    const type = model.columns[column]?.type;
    return value === null || value === undefined ? sql`null` : type ? sql`${sql.lit(value)}::${sql.raw(type)}` : sql`${sql.lit(value)}`;
  };
  const rendered = renderSql(
    `model ${model.name}`,
    model.definedAt,
    model.sql,
    names,
    options.targetName,
    (base) => ({
      ...base,
      get self() {
        return self();
      },
      isIncremental: () => {
        askedIncremental = true;
        return options.incremental;
      },
      eventTimeFilter: (expression: RawBuilder<unknown>) =>
        options.incremental && model.incremental?.eventTime
          ? sql<boolean>`${expression} >= ${eventTimeFloor(model.incremental, maximum(model.incremental.eventTime))}`
          : sql<boolean>`true`,
      selfMax: (column: string) => (options.incremental ? sql`coalesce(${maximum(column)}, '-infinity')` : sql`'-infinity'`),
    }),
    used,
  );
  return { ...rendered, askedIncremental: askedIncremental || used.size > 0 };
}

/** `latest event time built - lookback`: where an incremental run starts (-infinity on an empty table). */
export function eventTimeFloor(config: IncrementalConfig, latest: RawBuilder<unknown>): RawBuilder<unknown> {
  const lookback = config.lookback ?? {};
  const interval = `${lookback.days ?? 0} days ${lookback.hours ?? 0} hours`;
  return sql`coalesce(${latest} - ${sql.lit(interval)}::interval, '-infinity')`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
