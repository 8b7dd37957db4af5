import { sql, type RawBuilder, type Relation } from '@warehouse/core';

/**
 * The latest delivered version of each row of a landed table: operational systems deliver a
 * row again when it changes, and sometimes deliver the same version twice. Ties on
 * `updated_at` (a duplicate delivery) go to the latest landing.
 *
 * `where` keeps the scan to some rows (of changed keys, say) before the versions are sorted.
 *
 * @example
 * sql`select * from ${latestVersion(source(orderLines), ['order_line_id'])} as l`
 */
export function latestVersion<Row>(
  relation: Relation<Row>,
  keys: readonly string[],
  options: { versionColumn?: string; where?: RawBuilder<boolean> } = {},
): RawBuilder<Row> {
  const keyList = sql.join(keys.map((k) => sql.ref(k)));
  const where = options.where ? sql`where ${options.where}` : sql``;
  return sql<Row>`(select distinct on (${keyList}) * from ${relation} ${where} order by ${keyList}, ${sql.ref(options.versionColumn ?? 'updated_at')} desc, "_loaded_at" desc)`;
}

/**
 * One row per key of a table without a version column: the latest delivery wins, so a row
 * delivered again with a change (a membership that ended, say) replaces the earlier one, and
 * a duplicate delivery of the same row counts once. `where` keeps the scan to some rows.
 */
export function distinctDeliveries<Row>(relation: Relation<Row>, keys: readonly string[], where?: RawBuilder<boolean>): RawBuilder<Row> {
  const keyList = sql.join(keys.map((k) => sql.ref(k)));
  const filter = where ? sql`where ${where}` : sql``;
  return sql<Row>`(select distinct on (${keyList}) * from ${relation} ${filter} order by ${keyList}, "_loaded_at" desc)`;
}
