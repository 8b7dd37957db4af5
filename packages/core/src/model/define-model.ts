import type { Kysely, RawBuilder } from 'kysely';
import type { SqlSource } from '../compile/sql-text.js';
import type { RelationTest } from '../quality/data-test-config.js';
import type { Columns, RowOf } from './columns.js';
import { DEFINITION_SITE, definitionSite, type DefinitionSite } from './defined-at.js';
import type { AnySource, Source } from './define-source.js';

export const MODEL_BRAND = Symbol.for('warehouse.model');

export type ModelKind = 'fact' | 'dim' | 'staging';

/**
 * Who may `ref` a model: `public`, any package that depends on the owner's package;
 * `protected`, models of the same package; `private`, models of the same group.
 */
export type Access = 'public' | 'protected' | 'private';

/**
 * How a model is persisted: a `view`; a `table` rebuilt on every run; an `incremental` table
 * that each run adds to or updates (see {@link IncrementalConfig}); or a `snapshot`, a slowly
 * changing dimension of type 2 that keeps every version (see {@link SnapshotConfig}).
 */
export type Materialization = 'view' | 'table' | 'incremental' | 'snapshot';

/** A length of time, for lookback windows. */
export interface Interval {
  days?: number;
  hours?: number;
}

/** How an incremental model folds each run's rows into its table. */
export interface IncrementalConfig {
  /**
   * `merge`: insert new keys, update existing ones (INSERT ... ON CONFLICT on `uniqueKey`);
   * `delete+insert`: delete the rows whose key is in the batch, then insert the batch;
   * `append`: insert the batch as it is.
   */
  strategy: 'merge' | 'delete+insert' | 'append';
  /** The key merge and delete+insert match on; defaults to the grain. Backed by a unique index. */
  uniqueKey?: readonly string[];
  /**
   * The output column that says when a row's event happened. With it, `eventTimeFilter()` in
   * the model body, and the materialization itself, keep a run to the rows at or after the
   * latest event time already built minus `lookback`.
   */
  eventTime?: string;
  /** How far before the latest built event time a run reprocesses, to pick up late rows. */
  lookback?: Interval;
  /**
   * What a run does when the contract has columns the table lacks: `fail` (the default; rebuild
   * with --full-refresh) or `append_new_columns` (add them, nullable, and go on).
   */
  onSchemaChange?: 'fail' | 'append_new_columns';
}

/**
 * A slowly changing dimension of type 2. The query returns, for each entity (`uniqueKey`), its
 * current state or, from a source that keeps history, each of its versions. Every run adds the
 * versions it has not seen and closes the ones they replace; the table gets `valid_from`,
 * `valid_to` (null while current) and `is_current`, which the contract must declare.
 */
export interface SnapshotConfig {
  /** The entity key (not the version key). */
  uniqueKey: readonly string[];
  /**
   * `timestamp`: a row is a new version when its `updatedAt` is later than the current
   * version's, and it is valid from that time. `check`: a row is a new version when any of
   * `checkColumns` differs from the current version; it is valid from the run's time.
   */
  strategy: 'timestamp' | 'check';
  updatedAt?: string;
  checkColumns?: readonly string[];
  /** A boolean query column marking a version that deletes the entity; it closes the current row and is not kept. */
  deletedFlag?: string;
  /** Entities missing from the query: `invalidate` closes their current row (default), `ignore` keeps it. */
  hardDeletes?: 'invalidate' | 'ignore';
  /** Type 1 columns: refreshed on every version of the entity on every run, never versioned. */
  overwriteColumns?: readonly string[];
  /**
   * True when the query returns every version from a source that keeps history, so a full
   * refresh rebuilds the same history. Otherwise --full-refresh leaves the snapshot alone.
   */
  rebuildable?: boolean;
}

/** The columns a snapshot adds to its query's rows. */
export const SNAPSHOT_COLUMNS = ['valid_from', 'valid_to', 'is_current'] as const;

/** What a snapshot keeps one row of, and a unique index on: the entity key and valid_from. */
export const snapshotVersionKey = (config: Pick<SnapshotConfig, 'uniqueKey'>): string[] => [...config.uniqueKey, 'valid_from'];

/** A reference to a relation, usable in a `sql` template or as `db.selectFrom(rel.as('x'))`. */
export type Relation<Row> = RawBuilder<Row>;

export type ModelRow<M> = M extends Model<string, infer C> ? RowOf<C> : never;
export type SourceRow<S> = S extends Source<string, string, infer C> ? RowOf<C> : never;

/** What a model's `sql` function receives. */
export interface ModelContext<Self extends Columns = Columns> {
  /** A model's relation, typed by its contract; records the graph edge. A versioned model object pins its version. */
  ref<M extends AnyModel>(model: M): Relation<ModelRow<M>>;
  /** A model's relation by name (untyped): the latest version unless `version` pins one. */
  ref(name: string, options?: { version?: number }): Relation<Record<string, unknown>>;
  /** A landed table, typed by its columns; records the graph edge. */
  source<S extends AnySource>(source: S): Relation<SourceRow<S>>;
  /** A landed table by system and name, e.g. `source('sales', 'orders')`. */
  source(system: string, table: string): Relation<Record<string, unknown>>;
  /** The model's own relation as it exists before this build (for incremental logic). */
  readonly self: Relation<RowOf<Self>>;
  /** True when this build adds to an existing table instead of rebuilding it. */
  isIncremental(): boolean;
  /**
   * For an incremental model with an `eventTime`: when incremental, `expression >= (latest
   * event time built) - lookback`; otherwise `true`. Put it where it filters the sources early.
   */
  eventTimeFilter(expression: RawBuilder<unknown>): RawBuilder<boolean>;
  /**
   * The largest value of a column of this model's table as built so far (for "what changed
   * since the last run" filters on audit columns such as `_loaded_at`), or `-infinity` when
   * the build is not incremental.
   */
  selfMax(column: string): RawBuilder<unknown>;
  /** A query builder (no connection) for models written with kysely's builder. */
  readonly db: Kysely<{}>;
  /** The target being compiled for, e.g. `dev` or `prod`. */
  readonly target: { readonly name: string };
}

export interface ModelConfig<N extends string, C extends Columns> {
  /** The relation's name, unique across the project; the warehouse's own names (`wh_fact_sales`). */
  name: N;
  /** The owning domain; the relation lives in the domain's schema. */
  domain: string;
  kind: ModelKind;
  description: string;
  /** Who answers for the model: a team or person. */
  owner: string;
  /** The key columns that make a row unique. */
  grain: ReadonlyArray<keyof C & string>;
  /** Default `protected`. */
  access?: Access;
  /** The model group, for `private` access. */
  group?: string;
  tags?: readonly string[];
  materialized: Materialization;
  /** Settings of `materialized: 'incremental'`. */
  incremental?: IncrementalConfig;
  /** Settings of `materialized: 'snapshot'`. */
  snapshot?: SnapshotConfig;
  /** Data tests on the whole model: multi-column unique, expressions, row counts, custom SQL. */
  tests?: readonly RelationTest[];
  /** Extra (non-unique) indexes of a table, each a list of columns, e.g. `[['order_date']]`. */
  indexes?: ReadonlyArray<ReadonlyArray<keyof C & string>>;
  /** The column contract: the relation's columns, in order, with types and nullability. */
  columns: C;
  /**
   * An enforced contract (the default) becomes the table's DDL and is checked on every build;
   * `primaryKey` adds a PRIMARY KEY constraint (its columns must be `nullable: false`).
   */
  contract?: { enforced: boolean; primaryKey?: ReadonlyArray<keyof C & string> };
  /** The model's query. */
  sql: (context: ModelContext<C>) => SqlSource;
  /**
   * The version of a public model. Versions of one name live side by side as `<name>_v<n>`
   * (`wh_dim_consumer_v2` beside `wh_dim_consumer_v1`) until consumers have moved.
   */
  version?: number;
  /** Marks this version as the one a ref by name gets; by default the highest version. */
  latest?: boolean;
  /** YYYY-MM-DD. Refs to this version warn until then and fail to compile after. */
  deprecationDate?: string;
}

/** A model, declared with {@link defineModel}. */
export interface Model<N extends string = string, C extends Columns = Columns>
  extends Readonly<Omit<ModelConfig<N, C>, 'access' | 'tags' | 'contract'>> {
  readonly [MODEL_BRAND]: true;
  readonly access: Access;
  readonly tags: readonly string[];
  readonly contract: { readonly enforced: boolean; readonly primaryKey?: ReadonlyArray<keyof C & string> };
  /** The relation in the database: the name, with `_v<version>` for a versioned model. */
  readonly relationName: string;
  /** Where the declaration lives (`file:line`), for error messages. */
  readonly definedAt: string | undefined;
  /** Phantom: the row type, for typed refs. */
  readonly __row?: RowOf<C>;
}

export type AnyModel = Model<string, any>;

/**
 * Declares a model.
 *
 * @example
 * export const whDimLocation = defineModel({
 *   name: 'wh_dim_location', domain: 'inventory', kind: 'dim', owner: 'inventory-team',
 *   description: 'One row per store or warehouse.', grain: ['location_key'], access: 'public',
 *   materialized: 'table',
 *   columns: { location_key: { type: 'bigint', nullable: false }, city: { type: 'text' } },
 *   sql: ({ source }) => sql`select location_id as location_key, city from ${source(locations)}`,
 * });
 */
export function defineModel<const N extends string, const C extends Columns>(config: ModelConfig<N, C>): Model<N, C> {
  return createModel(config, definitionSite());
}

/**
 * What every model shares: its brand and the `definedAt` getter. On a prototype, not in each
 * object: a literal that spreads the config and adds symbol keys and a getter is built slowly
 * by V8 (about 15 µs a model, a fifth of a second for 10,000 at each compile).
 */
const MODEL_PROTOTYPE: object = Object.freeze(
  Object.create(Object.prototype, {
    [MODEL_BRAND]: { value: true },
    definedAt: {
      get(this: { [DEFINITION_SITE]?: DefinitionSite }) {
        return this[DEFINITION_SITE]?.location();
      },
    },
  }),
);

/** A model from its config and where it was declared (also how the compile cache restores one). */
export function createModel<const N extends string, const C extends Columns>(config: ModelConfig<N, C>, site: DefinitionSite): Model<N, C> {
  const model = Object.assign(Object.create(MODEL_PROTOTYPE) as Record<PropertyKey, unknown>, config);
  model.access = config.access ?? 'protected';
  model.tags = config.tags ?? [];
  model.contract = config.contract ?? { enforced: true };
  model.relationName = config.version === undefined ? config.name : `${config.name}_v${config.version}`;
  model[DEFINITION_SITE] = site;
  return Object.freeze(model) as unknown as Model<N, C>;
}

export function isModel(value: unknown): value is AnyModel {
  return typeof value === 'object' && value !== null && MODEL_BRAND in value;
}
