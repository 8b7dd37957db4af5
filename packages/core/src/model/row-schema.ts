import { z } from 'zod';
import { parsePgType } from './column-types.js';
import type { Columns, ColumnSpec } from './columns.js';

const integerText = /^-?\d+$/;
const decimalText = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const dateText = /^\d{4}-\d{2}-\d{2}$/;
const timestampText = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value as it arrives in a landed file: JSON values from NDJSON, strings from CSV. */
const textual = z.union([z.string(), z.number(), z.bigint()]).transform((v) => String(v).trim());

function patterned(pattern: RegExp, what: string) {
  return textual.pipe(z.string().regex(pattern, `expected ${what}`));
}

function valueSchema(spec: ColumnSpec): z.ZodType {
  const parsed = parsePgType(spec.type);
  if (!parsed) throw new Error(`unknown type ${spec.type}`);
  if (parsed.isArray) return z.array(z.unknown());
  switch (parsed.base) {
    case 'smallint':
    case 'integer':
    case 'bigint':
      return patterned(integerText, 'an integer');
    case 'real':
    case 'double precision':
    case 'numeric':
      return patterned(decimalText, 'a number');
    case 'boolean':
      return z.union([z.boolean(), z.stringbool()]);
    case 'date':
      return patterned(dateText, 'a date (YYYY-MM-DD)');
    case 'timestamp without time zone':
    case 'timestamp with time zone':
      return z.union([z.date().transform((d) => d.toISOString()), patterned(timestampText, 'an ISO timestamp')]);
    case 'uuid':
      return patterned(uuidText, 'a uuid');
    case 'json':
    case 'jsonb':
      return z.unknown();
    case 'character varying':
    case 'character': {
      const length = Number(parsed.modifier.slice(1, -1));
      return textual.pipe(z.string().max(length, `longer than ${length} characters`));
    }
    default:
      return z.string();
  }
}

/**
 * A zod schema for one landed row of a table with these columns. Values may arrive as text
 * (CSV) or JSON; an empty string or null is accepted only where the column is nullable.
 */
export function rowSchemaFor(columns: Columns): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(columns)) {
    const value = valueSchema(spec);
    shape[name] =
      spec.nullable === false
        ? value
        : z.preprocess((v) => (v === '' || v === undefined ? null : v), value.nullable());
  }
  return z.object(shape);
}
