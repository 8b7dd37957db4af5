import { sql, type RawBuilder } from 'kysely';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import type { AnyModel, IncrementalConfig, ModelContext } from '../model/define-model.js';
import { fillTemplate, templateOf, type BodyKind, type PeriodPart } from './sql-template.js';
import { sqlText } from './sql-text.js';

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

/** `"schema"."name"` as kysely writes a table reference; the same few relations are written often. */
const relationTexts = new Map<string, Map<string, string>>();
export function relationText(schema: string, name: string): string {
  let inSchema = relationTexts.get(schema);
  if (!inSchema) relationTexts.set(schema, (inSchema = new Map()));
  let text = inSchema.get(name);
  if (text === undefined) inSchema.set(name, (text = sqlText(sql`${sql.table(`${schema}.${name}`)}`)));
  return text;
}

/** The parts of a context every SQL body gets: relations that record what they read. */
export interface SqlContextBase {
  ref: ModelContext['ref'];
  source: ModelContext['source'];
  db: ModelContext['db'];
  target: ModelContext['target'];
}

/** How the holes a kind of body may have are filled: the model's own table, a test's subject, a KPI's period. */
export interface HoleTexts {
  /** `self`: a model's table or the relation a test tests. */
  self?: () => string;
  /** `selfMax(column)`, in this render's mode. */
  selfMax?: (column: string) => string;
  /** `eventTimeFilter(expression)`, given the expression's text. */
  eventTimeFilter?: (expression: string) => string;
  /** A KPI's period bounds. */
  period?: (part: PeriodPart) => string;
}

/**
 * Renders a SQL body (a model's, a test's or a KPI's) on a target from its template: refs and
 * sources become qualified relations (recording what was read), the other holes come from
 * `holes`. `label` names the definition in errors, e.g. `model wh_fact_sales`.
 */
export function renderSql(
  label: string,
  definedAt: string | undefined,
  body: unknown,
  kind: BodyKind,
  names: RelationNames,
  targetName: string,
  holes: HoleTexts,
  options: { incremental?: boolean } = {},
): RenderedSql {
  const refs = new Set<string>();
  const sources = new Set<string>();
  const missingRefs = new Set<string>();
  const template = templateOf(body, kind, targetName);
  const variant = options.incremental && template.incremental ? template.incremental : template.full;
  const rendered = fillTemplate(variant, (hole, substitute) => {
    switch (hole.kind) {
      case 'ref': {
        const resolved = names.resolveModel(hole.name, hole.version);
        const schema = resolved === undefined ? undefined : names.modelSchema(resolved);
        if (resolved === undefined || schema === undefined) {
          missingRefs.add(hole.version === undefined ? hole.name : `${hole.name} v${hole.version}`);
          return relationText('__missing__', hole.name);
        }
        refs.add(resolved);
        return relationText(schema, resolved);
      }
      case 'source':
        sources.add(`${hole.system}.${hole.name}`);
        return relationText(names.sourceSchema(hole.system), hole.name);
      case 'self':
        return required(holes.self, label, 'self')();
      case 'selfMax':
        return required(holes.selfMax, label, 'selfMax')(hole.column);
      case 'eventTimeFilter':
        return required(holes.eventTimeFilter, label, 'eventTimeFilter')(substitute(hole.expression));
      case 'period':
        return required(holes.period, label, 'period')(hole.part);
    }
  });
  if (typeof rendered !== 'string') {
    const where = definedAt ? ` (${definedAt})` : '';
    throw new WarehouseError(ErrorCode.modelSqlFailed, `${label}${where}: its sql() failed: ${rendered.error}`);
  }
  return {
    sql: rendered,
    refs: [...refs],
    sources: [...sources],
    missingRefs: [...missingRefs],
    selfMaxColumns: [],
    askedIncremental: variant.askedIncremental,
    usedTarget: template.target !== undefined,
  };
}

function required<F>(fill: F | undefined, label: string, what: string): F {
  if (!fill) throw new WarehouseError(ErrorCode.modelSqlFailed, `${label}: its sql() used ${what}, which its context does not offer`);
  return fill;
}

/** Renders a model's SQL on a target; `isIncremental()` answers `options.incremental`. */
export function renderModelSql(model: AnyModel, names: RelationNames, options: RenderOptions): RenderedSql {
  const self = relationText(names.modelSchema(model.relationName) ?? '__missing__', model.relationName);
  const used = new Set<string>();
  const maximum = (column: string): RawBuilder<unknown> => {
    used.add(column);
    const values = options.selfMaxValues;
    if (values === undefined) return sql`(select max(${sql.ref(column)}) from ${sql.raw(self)})`;
    const value = values[column];
    const type = model.columns[column]?.type;
    return value === null || value === undefined ? sql`null` : type ? sql`${sql.lit(value)}::${sql.raw(type)}` : sql`${sql.lit(value)}`;
  };
  const rendered = renderSql(`model ${model.name}`, model.definedAt, model.sql, 'model', names, options.targetName, {
    self: () => self,
    selfMax: (column) => (options.incremental ? sqlText(sql`coalesce(${maximum(column)}, '-infinity')`) : `'-infinity'`),
    eventTimeFilter: (expression) =>
      options.incremental && model.incremental?.eventTime
        ? sqlText(sql`${sql.raw(expression)} >= ${eventTimeFloor(model.incremental, maximum(model.incremental.eventTime))}`)
        : 'true',
  }, { incremental: options.incremental });
  return { ...rendered, selfMaxColumns: [...used].sort(), askedIncremental: rendered.askedIncremental || used.size > 0 };
}

/** `latest event time built - lookback`: where an incremental run starts (-infinity on an empty table). */
export function eventTimeFloor(config: IncrementalConfig, latest: RawBuilder<unknown>): RawBuilder<unknown> {
  const lookback = config.lookback ?? {};
  const interval = `${lookback.days ?? 0} days ${lookback.hours ?? 0} hours`;
  return sql`coalesce(${latest} - ${sql.lit(interval)}::interval, '-infinity')`;
}
