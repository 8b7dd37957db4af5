import { sql, type RawBuilder } from 'kysely';
import { sqlText } from '../compile/sql-text.js';
import { parsePgType } from '../model/column-types.js';
import type { ColumnSpec } from '../model/columns.js';
import { sourceName, type AnySource } from '../model/define-source.js';
import { QUARANTINE_TABLE } from './load-history.js';

/**
 * The checked load: every record lands as text in a temporary table first (a COPY into text
 * columns cannot fail on a value), then SQL decides row by row, with Postgres' own input
 * rules, which rows land and which go to quarantine with their reasons. The data stays in
 * the database; only the verdicts are written there too.
 */

/** Temporary tables of a checked load (dropped at commit). */
export const ROWS_TABLE = { schema: 'pg_temp', name: 'wh_load_rows' } as const;
export const LINES_TABLE = { schema: 'pg_temp', name: 'wh_load_lines' } as const;

/** A landed column and the text field of the rows table that carries its value. */
export interface LoadedColumn {
  name: string;
  spec: ColumnSpec;
  /** `c1`, `c2`, ...: the rows table's column for it. */
  field: string;
}

const id = (relation: { schema: string; name: string }) => sql.id(relation.schema, relation.name);
export const fieldName = (index: number) => `c${index + 1}`;

/**
 * `line, record, problem, record_bytes, c1 .. cN`: a record's line, its text, a problem found
 * before SQL, its bytes when the text cannot hold them exactly, and its fields.
 */
export function createRowsTable(fields: number): string {
  const columns = Array.from({ length: fields }, (_, i) => sql`${sql.id(fieldName(i))} text`);
  return sqlText(
    sql`create temporary table ${sql.id(ROWS_TABLE.name)} (line bigint not null, record text not null, problem text, record_bytes bytea${columns.length > 0 ? sql`, ${sql.join(columns)}` : sql``}) on commit drop`,
  );
}

/** The rows table's leading fields, in the order a CSV of it gives them. */
export const ROW_FIELDS = ['line', 'record', 'problem', 'record_bytes'] as const;

/** `line, record, problem, record_bytes` for NDJSON: the fields are taken out of each JSON object in SQL. */
export const createLinesTable = () =>
  sqlText(sql`create temporary table ${sql.id(LINES_TABLE.name)} (line bigint not null, record text not null, problem text, record_bytes bytea) on commit drop`);

/** The rows table filled from the lines table, one field per column, read by name from the object. */
export function rowsFromLines(columns: readonly LoadedColumn[]): string {
  const fields = columns.map((c) => sql`j ->> ${sql.lit(c.name)} as ${sql.id(c.field)}`);
  return sqlText(
    sql`create temporary table ${sql.id(ROWS_TABLE.name)} on commit drop as select line, record, problem, record_bytes, ${sql.join(fields)} from ${id(LINES_TABLE)}, lateral (select case when problem is null then record::jsonb end as j) as parsed`,
  );
}

/**
 * `pg_temp.wh_input_is_valid(value, type)` for servers before PostgreSQL 16, which lack
 * `pg_input_is_valid`: it tries the cast and catches the error. Slow (a subtransaction per
 * value), and only ever run on a file that COPY already refused.
 */
export const CREATE_VALIDITY_FUNCTION = `create or replace function pg_temp.wh_input_is_valid(value text, type_name text) returns boolean language plpgsql as $$
begin
  execute format('select %L::%s', value, type_name);
  return true;
exception when others then
  return false;
end
$$`;

/** How the server tells whether a text is valid input for a type. */
export type ValidityCheck = 'pg_input_is_valid' | 'pg_temp.wh_input_is_valid';

/**
 * Whether a column holds text (`text`, `char(n)`, `varchar(n)`, not arrays of them): any input
 * is valid text, and a value goes in by assignment, which fails on one too long where a cast
 * would cut it. `maxLength` is the n of `char(n)`/`varchar(n)`.
 */
function textualOf(spec: ColumnSpec): { maxLength?: number } | undefined {
  const type = parsePgType(spec.type);
  if (!type || type.isArray || !['text', 'character', 'character varying'].includes(type.base)) return undefined;
  return type.modifier === '' ? {} : { maxLength: Number(type.modifier.slice(1, -1)) };
}

/**
 * Why a row's value of `column` cannot land, or NULL. A cast to a character type truncates
 * instead of failing, so those are checked by length; text needs no check.
 */
function reasonFor(column: LoadedColumn, loadedAt: string, check: ValidityCheck): RawBuilder<unknown> {
  const value = sql.id(column.field);
  const name = column.name;
  const textual = textualOf(column.spec);
  const missing =
    column.spec.nullable === false && name !== loadedAt ? sql`${sql.lit(`${name}: missing, and the column is NOT NULL`)}` : sql`null::text`;
  const shown = sql`quote_literal(left(${value}, 80))`;
  const whens: RawBuilder<unknown>[] = [];
  if (textual?.maxLength !== undefined) {
    whens.push(sql`when char_length(rtrim(${value}, ' ')) > ${sql.lit(textual.maxLength)} then format('%s: %s is longer than %s characters', ${sql.lit(name)}, ${shown}, ${sql.lit(textual.maxLength)})`);
  } else if (!textual) {
    whens.push(sql`when not ${sql.raw(check)}(${value}, ${sql.lit(column.spec.type)}) then format('%s: %s is not a valid %s', ${sql.lit(name)}, ${shown}, ${sql.lit(column.spec.type)})`);
  }
  return sql`case when ${value} is null then ${missing} ${sql.join(whens, sql` `)} end`;
}

/**
 * Puts every row that cannot land into the quarantine table, with all its reasons; without a
 * `check`, only the rows with a problem found while reading the file.
 */
export function quarantineRows(loadId: string, source: AnySource, columns: readonly LoadedColumn[], check: ValidityCheck | undefined): string {
  const reasons = check ? columns.map((c) => reasonFor(c, source.loadedAt, check)) : [];
  const reason = reasons.length > 0 ? sql`coalesce(problem, nullif(concat_ws('; ', ${sql.join(reasons)}), ''))` : sql`problem`;
  return sqlText(sql`insert into ${id(QUARANTINE_TABLE)} (load_id, line, source, reason, record, record_bytes)
select ${sql.lit(loadId)}::uuid, line, ${sql.lit(sourceName(source))}, reason, record, record_bytes from (select line, record, record_bytes, ${reason} as reason from ${id(ROWS_TABLE)}) as checked where reason is not null`);
}

/**
 * Lands every row the quarantine did not take, cast to the landing table's types (a value that
 * does not fit fails the statement). A loaded-at value the file leaves empty becomes the load's time.
 */
export function landCheckedRows(loadId: string, source: AnySource, columns: readonly LoadedColumn[]): string {
  const values = columns.map((c) => {
    const cast = textualOf(c.spec) ? sql.id(c.field) : sql`${sql.id(c.field)}::${sql.raw(c.spec.type)}`;
    return c.name === source.loadedAt ? sql`coalesce(${cast}, now())` : cast;
  });
  return sqlText(sql`insert into ${sql.id(source.schema, source.name)} (${sql.join(columns.map((c) => sql.id(c.name)))})
select ${sql.join(values)} from ${id(ROWS_TABLE)} as r
where r.problem is null and not exists (select from ${id(QUARANTINE_TABLE)} as q where q.load_id = ${sql.lit(loadId)}::uuid and q.line = r.line)`);
}
