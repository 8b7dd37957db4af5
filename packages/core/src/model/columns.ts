import type { ColumnTest } from '../quality/data-test-config.js';
import type { PgType, TsTypeOf } from './column-types.js';

/** One column of a contract (a model's output or a source's landed table). */
export interface ColumnSpec<T extends PgType = PgType> {
  /** The Postgres type; the contract's DDL uses it as written. */
  type: T;
  /** Nullable unless `false`; `false` becomes a NOT NULL constraint. */
  nullable?: boolean;
  description?: string;
  /** Data tests on the column: `'unique'`, `'not_null'`, accepted values, relationships, expressions. */
  tests?: readonly ColumnTest[];
}

/** Columns by name, in the order the relation has them. */
export type Columns = Record<string, ColumnSpec>;

type ValueOf<C extends ColumnSpec> = C['nullable'] extends false
  ? TsTypeOf<C['type']>
  : TsTypeOf<C['type']> | null;

/**
 * The TypeScript row type of a column contract.
 *
 * @example
 * type ProductRow = RowOf<{ product_key: { type: 'bigint'; nullable: false } }>; // { product_key: string }
 */
export type RowOf<C extends Columns> = { -readonly [K in keyof C]: ValueOf<C[K]> };

/** A column list in declaration order, for DDL and documentation. */
export function columnEntries(columns: Columns): Array<[string, ColumnSpec]> {
  return Object.entries(columns);
}
