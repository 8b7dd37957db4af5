import { sql, type Kysely } from 'kysely';
import { sqlText } from '../../compile/sql-text.js';
import type { RelationName } from '../../compile/ddl.js';

export interface RelationColumn {
  name: string;
  /** As `format_type` prints it, e.g. `numeric(12,2)`, `timestamp with time zone`. */
  type: string;
  /** Whether the column has a NOT NULL constraint (always false for views). */
  notNull: boolean;
}

/** The columns of an existing relation (table or view), in order. */
export async function relationColumns(connection: Kysely<any>, relation: RelationName): Promise<RelationColumn[]> {
  const qualified = sqlText(sql`${sql.id(relation.schema, relation.name)}`);
  const { rows } = await sql<RelationColumn>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as "notNull"
    from pg_attribute a
    where a.attrelid = ${qualified}::regclass and a.attnum > 0 and not a.attisdropped
    order by a.attnum`.execute(connection);
  return rows;
}

/** Whether a relation exists, and as what. */
export async function relationKind(connection: Kysely<any>, relation: RelationName): Promise<'table' | 'view' | 'other' | undefined> {
  const { rows } = await sql<{ relkind: string }>`
    select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${relation.schema} and c.relname = ${relation.name}`.execute(connection);
  const kind = rows[0]?.relkind;
  if (kind === undefined) return undefined;
  if (kind === 'r' || kind === 'p') return 'table';
  if (kind === 'v') return 'view';
  return 'other';
}
