import type { SqlSource } from '../compile/sql-text.js';
import type { SqlContextBase } from '../compile/render-model-sql.js';
import type { Relation } from '../model/define-model.js';

/** What every data test can say about how it is judged and kept. */
export interface TestOptions {
  /** Unique across the project; derived from the test, model and column when not given. */
  name?: string;
  description?: string;
  /** `error` (the default) fails the build and skips the tested model's descendants; `warn` only warns. */
  severity?: 'warn' | 'error';
  /** Failing rows tolerated before the test warns (default 0). */
  warnIf?: number;
  /** Failing rows tolerated before an error-severity test fails (default 0). */
  errorIf?: number;
  /** A SQL condition on the tested relation: only these rows are tested, e.g. `order_date >= '2025-01-01'`. */
  where?: string;
  /** Keep the failing rows in the audit schema (also `--store-failures` for all tests). */
  storeFailures?: boolean;
  /**
   * In a build: `changed` (the default) tests only the rows the incremental run of the tested
   * model wrote, or for a source the rows landed since the test last passed; `all` the whole
   * table. Row-level tests (not_null, accepted_values, relationships, expression, unique) can
   * be scoped; row_count and sql tests always see the whole table. Whole tables are tested on
   * full builds, by `warehouse test`, and until a test has passed since the model's last build.
   */
  scope?: 'changed' | 'all';
}

/** Tests on one column, declared in the column's `tests`. */
export type ColumnTest =
  | 'unique'
  | 'not_null'
  | ({ type: 'unique' | 'not_null' } & TestOptions)
  | ({ type: 'accepted_values'; values: ReadonlyArray<string | number | boolean> } & TestOptions)
  /** Every non-null value is a `field` of `to` (a model, source or model name, in any domain this one depends on). */
  | ({ type: 'relationships'; to: unknown; field: string } & TestOptions)
  /** A condition on the column, written after it: `'>= 0'` tests `column >= 0`. */
  | ({ type: 'expression'; expression: string } & TestOptions);

/** What a custom SQL test gets: refs and sources, and the relation it is attached to. */
export interface SqlTestContext extends SqlContextBase {
  /** The tested model or source. */
  self: Relation<Record<string, unknown>>;
}

/** Tests on a whole model or source, declared in its `tests`. */
export type RelationTest =
  | ({ type: 'unique'; columns: readonly string[] } & TestOptions)
  /** A condition every row must meet, e.g. `'closing_on_hand = opening_on_hand + receipts'`. */
  | ({ type: 'expression'; expression: string; name: string } & TestOptions)
  | ({ type: 'row_count'; min?: number; max?: number } & TestOptions)
  /** Custom SQL returning the failing rows (a singular test, in dbt's words). */
  | ({ type: 'sql'; name: string; sql: (context: SqlTestContext) => SqlSource } & TestOptions);

export type TestKind = 'unique' | 'not_null' | 'accepted_values' | 'relationships' | 'expression' | 'row_count' | 'sql';

/** `generic` tests are the built-in kinds with parameters; `singular` tests are custom SQL. */
export const testTypeOf = (kind: TestKind): 'generic' | 'singular' => (kind === 'sql' ? 'singular' : 'generic');
