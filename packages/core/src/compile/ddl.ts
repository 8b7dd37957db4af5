import { sql, type RawBuilder } from 'kysely';
import type { Columns } from '../model/columns.js';
import { sqlText } from './sql-text.js';

/**
 * The DDL and DML statements materializations run, as deterministic SQL text with every
 * identifier quoted by kysely.
 */

export interface RelationName {
  schema: string;
  name: string;
}

export type RelationKind = 'table' | 'view';

const id = (relation: RelationName) => sql.id(relation.schema, relation.name);
const text = (statement: RawBuilder<unknown>) => sqlText(statement);
const keyword = (kind: RelationKind) => sql.raw(kind === 'table' ? 'table' : 'view');

/** The temporary view a model's query is staged in, one per connection. */
export const MODEL_QUERY_VIEW: RelationName = { schema: 'pg_temp', name: 'wh_model_query' };

/** Suffixes of the relations a swap uses beside the real one. */
export const STAGED_SUFFIX = '__wh_new';
export const RETIRED_SUFFIX = '__wh_old';

export const staged = (relation: RelationName): RelationName => ({ schema: relation.schema, name: relation.name + STAGED_SUFFIX });
export const retired = (relation: RelationName): RelationName => ({ schema: relation.schema, name: relation.name + RETIRED_SUFFIX });

export const createSchema = (schema: string) => text(sql`create schema if not exists ${sql.id(schema)}`);

/** The text before the model's SQL in {@link createQueryView}, to map error positions back. */
export const QUERY_VIEW_PREFIX = `create temporary view "wh_model_query" as\n`;
export const createQueryView = (modelSql: string) => `${QUERY_VIEW_PREFIX}${modelSql}`;
export const dropQueryView = () => text(sql`drop view if exists ${id(MODEL_QUERY_VIEW)}`);

/** CREATE TABLE from a contract: its columns in order, typed, NOT NULL where declared. */
export function createTableFromContract(relation: RelationName, columns: Columns, options: { ifNotExists?: boolean } = {}): string {
  const definitions = Object.entries(columns).map(
    ([name, spec]) => sql`${sql.id(name)} ${sql.raw(spec.type)}${spec.nullable === false ? sql` not null` : sql``}`,
  );
  const create = options.ifNotExists ? sql`create table if not exists` : sql`create table`;
  return text(sql`${create} ${id(relation)} (${sql.join(definitions)})`);
}

/** Fills a table from the staged query, taking the contract's columns by name. */
export function insertFromQueryView(relation: RelationName, columns: readonly string[]): string {
  const list = sql.join(columns.map((c) => sql.id(c)));
  return text(sql`insert into ${id(relation)} (${list}) select ${list} from ${id(MODEL_QUERY_VIEW)}`);
}

/** A table holding the staged query's rows as they come (for models without an enforced contract). */
export const createTableAsQueryView = (relation: RelationName) => text(sql`create table ${id(relation)} as select * from ${id(MODEL_QUERY_VIEW)}`);

/** The text before the model's SQL in {@link createView}, to map error positions back. */
export const createViewPrefix = (relation: RelationName, columns: readonly string[] | undefined) =>
  columns
    ? `${text(sql`create view ${id(relation)} as select ${sql.join(columns.map((c) => sql.id(c)))} from`)} (\n`
    : `${text(sql`create view ${id(relation)} as`)}\n`;

/** A view of the model's query; with a contract, its columns are picked in contract order. */
export function createView(relation: RelationName, modelSql: string, columns: readonly string[] | undefined): string {
  return `${createViewPrefix(relation, columns)}${modelSql}${columns ? '\n) as "model"' : ''}`;
}

/** Locks relations in the order given (LOCK takes them one after the other). */
export const lockExclusive = (relations: readonly RelationName[]) =>
  text(sql`lock table ${sql.join(relations.map(id))} in access exclusive mode`);

/** The unique index behind an incremental model's key or a snapshot's versions: `<name>__uk`. */
export const uniqueIndexName = (relation: RelationName, staged = false) => `${relation.name.replace(STAGED_SUFFIX, '')}__uk${staged ? '_new' : ''}`;

/** The n-th extra index of a model's table: `<name>__ix<n>`. */
export const extraIndexName = (relation: RelationName, n: number, staged = false) => `${relation.name.replace(STAGED_SUFFIX, '')}__ix${n}${staged ? '_new' : ''}`;

/** The primary key constraint (and its index) of a model's table: `<name>__pk`. */
export const primaryKeyName = (relation: RelationName, staged = false) => `${relation.name.replace(STAGED_SUFFIX, '')}__pk${staged ? '_new' : ''}`;

export const addPrimaryKey = (relation: RelationName, name: string, columns: readonly string[]) =>
  text(sql`alter table ${id(relation)} add constraint ${sql.id(name)} primary key (${sql.join(columns.map((c) => sql.id(c)))})`);

export const createUniqueIndex = (relation: RelationName, name: string, columns: readonly string[]) =>
  text(sql`create unique index if not exists ${sql.id(name)} on ${id(relation)} (${sql.join(columns.map((c) => sql.id(c)))})`);

export const createIndex = (relation: RelationName, name: string, columns: readonly string[], method: 'btree' | 'brin' = 'btree') =>
  // a BRIN asks autovacuum to summarise each page range as it fills (writers of our own summarise at once)
  text(
    sql`create index if not exists ${sql.id(name)} on ${id(relation)}${method === 'btree' ? sql`` : sql` using brin`} (${sql.join(columns.map((c) => sql.id(c)))})${method === 'brin' ? sql` with (autosummarize = on)` : sql``}`,
  );

export const renameIndex = (schema: string, from: string, to: string) => text(sql`alter index ${sql.id(schema, from)} rename to ${sql.id(to)}`);

export const indexExists = (relation: RelationName, name: string) =>
  text(sql`select 1 from pg_indexes where schemaname = ${sql.lit(relation.schema)} and tablename = ${sql.lit(relation.name)} and indexname = ${sql.lit(name)}`);

export const countRows = (relation: RelationName) => text(sql`select count(*) as n from ${id(relation)}`);

export const analyze = (relation: RelationName) => text(sql`analyze ${id(relation)}`);

export function comments(relation: RelationName, kind: RelationKind, description: string, columns: Columns): string[] {
  const statements = [text(sql`comment on ${keyword(kind)} ${id(relation)} is ${sql.lit(description)}`)];
  for (const [name, spec] of Object.entries(columns)) {
    if (spec.description) {
      statements.push(text(sql`comment on column ${sql.id(relation.schema, relation.name, name)} is ${sql.lit(spec.description)}`));
    }
  }
  return statements;
}

export const renameRelation = (from: RelationName, kind: RelationKind, to: string) =>
  text(sql`alter ${keyword(kind)} ${id(from)} rename to ${sql.id(to)}`);

export const dropRelation = (relation: RelationName, kind: RelationKind, ifExists = false) =>
  text(sql`drop ${keyword(kind)} ${ifExists ? sql`if exists ` : sql``}${id(relation)}`);

/** Re-creates a dependent view with its own definition, binding it to whatever the names now mean. */
export function replaceView(relation: RelationName, definition: string, options: readonly string[] | null): string {
  const withOptions = options && options.length > 0 ? ` with (${options.join(', ')})` : '';
  return `${text(sql`create or replace view ${id(relation)}`)}${withOptions} as\n${definition.trim().replace(/;$/, '')}`;
}
