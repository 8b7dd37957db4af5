import type { z } from 'zod';
import type { RelationTest } from '../quality/data-test-config.js';
import type { Columns, RowOf } from './columns.js';
import { DEFINITION_SITE, definitionSite, type DefinitionSite } from './defined-at.js';
import { rowSchemaFor } from './row-schema.js';

export const SOURCE_BRAND = Symbol.for('warehouse.source');

/** How old a source's newest row may be before freshness warns or errors. */
export interface FreshnessRule {
  warnAfter?: { hours: number };
  errorAfter?: { hours: number };
}

export interface SourceConfig<S extends string, N extends string, C extends Columns> {
  /** The operational system; its tables land in schema `raw_<system>`. */
  system: S;
  /** The table's name inside the landing schema. */
  name: N;
  description: string;
  columns: C;
  /** Columns that identify a row in the operational system. */
  primaryKey: ReadonlyArray<keyof C & string>;
  /** The column stamped with the time a row was landed, for freshness. */
  loadedAt: keyof C & string;
  /**
   * More indexes on the landing table (beside the primary key and loadedAt ones), for the
   * lookups incremental models make: `[['customer_id'], ['order_id', 'updated_at']]`.
   */
  indexes?: ReadonlyArray<ReadonlyArray<keyof C & string>>;
  freshness?: FreshnessRule;
  /** Data tests on the whole table (column tests go on the columns). */
  tests?: readonly RelationTest[];
  owner?: string;
  tags?: readonly string[];
}

/** A raw landed table of an operational system, declared with {@link defineSource}. */
export interface Source<S extends string = string, N extends string = string, C extends Columns = Columns>
  extends Readonly<SourceConfig<S, N, C>> {
  readonly [SOURCE_BRAND]: true;
  /** `raw_<system>` */
  readonly schema: string;
  /** `raw_<system>.<name>`, unique across the project. */
  readonly id: string;
  /** Validates one landed row; derived from the columns. */
  readonly rowSchema: z.ZodObject;
  /** Where the declaration lives (`file:line`), for error messages. */
  readonly definedAt: string | undefined;
  /** Phantom: the row type, for typed `source()` references. */
  readonly __row?: RowOf<C>;
}

export type AnySource = Source<string, string, Columns>;

/** A source as people name it in commands and results: its system and table, `sales.orders`. */
export const sourceName = (source: AnySource): string => `${source.system}.${source.name}`;

/**
 * Declares a raw landed table.
 *
 * @example
 * export const orders = defineSource({
 *   system: 'sales', name: 'orders', description: 'One row per order.',
 *   columns: { order_id: { type: 'bigint', nullable: false }, _loaded_at: { type: 'timestamptz' } },
 *   primaryKey: ['order_id'], loadedAt: '_loaded_at',
 * });
 */
export function defineSource<const S extends string, const N extends string, const C extends Columns>(
  config: SourceConfig<S, N, C>,
): Source<S, N, C> {
  return createSource(config, definitionSite());
}

/** A source from its config and where it was declared (also how the compile cache restores one). */
export function createSource<const S extends string, const N extends string, const C extends Columns>(
  config: SourceConfig<S, N, C>,
  site: DefinitionSite,
): Source<S, N, C> {
  const schema = `raw_${config.system}`;
  let rowSchema: z.ZodObject | undefined;
  return Object.freeze({
    ...config,
    [SOURCE_BRAND]: true as const,
    [DEFINITION_SITE]: site,
    schema,
    id: `${schema}.${config.name}`,
    // built on first use, so that a bad column type is reported by validation, not at import
    get rowSchema() {
      return (rowSchema ??= rowSchemaFor(config.columns));
    },
    get definedAt() {
      return site.location();
    },
  });
}

export function isSource(value: unknown): value is AnySource {
  return typeof value === 'object' && value !== null && SOURCE_BRAND in value;
}
