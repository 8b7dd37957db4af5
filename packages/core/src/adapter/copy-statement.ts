import { sql } from 'kysely';
import { sqlText } from '../compile/sql-text.js';
import type { CopyTarget, CsvFormat } from './adapter.js';

/** `COPY "schema"."table" ("a", "b") FROM <from> WITH (FORMAT csv)`, identifiers quoted by kysely. */
export function copyCsvStatement(target: CopyTarget, from: 'stdin' | '/dev/blob', format: CsvFormat = {}): string {
  const columns = sql.join(target.columns.map((c) => sql.id(c)));
  const source = from === 'stdin' ? sql.raw('stdin') : sql.lit(from);
  const delimiter = format.delimiter !== undefined && format.delimiter !== ',' ? sql`, delimiter ${sql.lit(format.delimiter)}` : sql``;
  return sqlText(sql`copy ${sql.id(target.schema, target.table)} (${columns}) from ${source} with (format csv${delimiter})`);
}
