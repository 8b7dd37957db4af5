/**
 * Postgres column types a contract may use, their canonical spelling (as Postgres'
 * `format_type` prints them) and the TypeScript type a row of that column has when read
 * through node-postgres or PGlite.
 */

type Precision = `${number}`;

/** A Postgres type a contract column may declare. Arrays of any of them end in `[]`. */
export type ScalarPgType =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'real'
  | 'double precision'
  | 'numeric'
  | `numeric(${Precision})`
  | `numeric(${Precision},${Precision})`
  | 'text'
  | `varchar(${Precision})`
  | `char(${Precision})`
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'uuid'
  | 'json'
  | 'jsonb';

export type PgType = ScalarPgType | `${ScalarPgType}[]`;

/** The TypeScript type of a value of Postgres type `T` as the drivers return it. */
export type TsTypeOf<T extends string> = T extends `${infer E}[]`
  ? TsTypeOf<E>[]
  : T extends 'smallint' | 'integer' | 'real' | 'double precision'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'timestamp' | 'timestamptz'
        ? Date
        : T extends 'json' | 'jsonb'
          ? unknown
          : string; // bigint and numeric come back as strings (they do not fit a JS number), dates as YYYY-MM-DD

/** Canonical base names (no type modifier), as `format_type` prints them. */
const canonicalBase: Record<string, string> = {
  smallint: 'smallint',
  int2: 'smallint',
  integer: 'integer',
  int: 'integer',
  int4: 'integer',
  bigint: 'bigint',
  int8: 'bigint',
  real: 'real',
  float4: 'real',
  'double precision': 'double precision',
  float8: 'double precision',
  numeric: 'numeric',
  decimal: 'numeric',
  text: 'text',
  varchar: 'character varying',
  'character varying': 'character varying',
  char: 'character',
  bpchar: 'character',
  character: 'character',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp without time zone',
  'timestamp without time zone': 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  'timestamp with time zone': 'timestamp with time zone',
  interval: 'interval',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
};

export interface ParsedPgType {
  /** Canonical base name, e.g. `numeric`, `character varying`, `timestamp with time zone`. */
  base: string;
  /** The type modifier as written, e.g. `(12,2)`, or '' when there is none. */
  modifier: string;
  isArray: boolean;
  /** The canonical spelling, filled in by canonicalPgType. */
  canonical?: string;
}

const typePattern = /^([a-z][a-z0-9 ]*?)\s*(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?\s*(\[\])?$/;

/** Parsed types by spelling: a project of thousands of models spells a handful of types. */
const parsedTypes = new Map<string, ParsedPgType | undefined>();

/** Parses a type as written in a contract or printed by `format_type`; undefined if unknown. */
export function parsePgType(type: string): ParsedPgType | undefined {
  if (parsedTypes.has(type)) return parsedTypes.get(type);
  const parsed = parseUncached(type);
  if (parsedTypes.size < 10_000) parsedTypes.set(type, parsed);
  return parsed;
}

function parseUncached(type: string): ParsedPgType | undefined {
  const match = typePattern.exec(type.trim().toLowerCase());
  if (!match) return undefined;
  const base = canonicalBase[match[1]!.replace(/\s+/g, ' ')];
  if (base === undefined) return undefined;
  return { base, modifier: (match[2] ?? '').replace(/\s+/g, ''), isArray: match[3] !== undefined };
}

/** The canonical spelling of a type, e.g. `timestamptz` -> `timestamp with time zone`. */
export function canonicalPgType(type: string): string | undefined {
  const parsed = parsePgType(type);
  if (!parsed) return undefined;
  return (parsed.canonical ??= `${parsed.base}${parsed.modifier}${parsed.isArray ? '[]' : ''}`);
}

/**
 * Whether a query column of type `actual` fits a contract column of type `expected`. The base
 * type must be the same; a query column without a modifier (a computed `numeric`, say) fits a
 * contract column with one, because the insert casts it.
 */
export function pgTypeFits(expected: string, actual: string): boolean {
  const e = parsePgType(expected);
  const a = parsePgType(actual);
  if (!e || !a) return false;
  if (e.base !== a.base || e.isArray !== a.isArray) return false;
  return a.modifier === '' || a.modifier === e.modifier;
}
