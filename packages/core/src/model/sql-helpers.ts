import { sql, type RawBuilder } from 'kysely';

/**
 * A deterministic, positive bigint surrogate key from natural-key parts: 63 bits of the md5 of
 * the parts joined by `|`. The same natural key gives the same key in every build, incremental
 * or full, on every server; negative keys stay free for special members (-1 unknown, -2 n/a).
 *
 * @example
 * sql`select ${surrogateKey(sql.ref('p.product_id'))} as product_key from ...`
 */
export function surrogateKey(...parts: RawBuilder<unknown>[] | Array<ReturnType<typeof sql.ref>>): RawBuilder<string> {
  const joined = sql.join(parts.map((p) => sql`coalesce(${p}::text, '')`), sql`, `);
  return sql<string>`(('x' || left(md5(concat_ws('|', ${joined})), 16))::bit(64)::bigint & 9223372036854775807)`;
}

/** Keys of the special members every dimension carries, so fact rows never lose a key. */
export const UNKNOWN_KEY = -1;
export const NOT_APPLICABLE_KEY = -2;

/**
 * The condition that a version of an SCD type 2 dimension (`valid_from`, `valid_to` null while
 * current) was the one in force at `at`, for joining facts to the version current at event time.
 *
 * @example
 * sql`left join ${ref(whDimConsumer)} as c on c.consumer_id = o.customer_id and ${validAt('c', sql.ref('o.ordered_at'))}`
 */
export function validAt(alias: string, at: RawBuilder<unknown> | ReturnType<typeof sql.ref>): RawBuilder<boolean> {
  return sql<boolean>`${at} >= ${sql.ref(`${alias}.valid_from`)} and ${at} < coalesce(${sql.ref(`${alias}.valid_to`)}, 'infinity')`;
}
