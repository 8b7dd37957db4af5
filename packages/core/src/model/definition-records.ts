import { replayBody, templateOf, type BodyKind, type SqlTemplate } from '../compile/sql-template.js';
import { createKpi, type Kpi } from '../kpi/define-kpi.js';
import { createModel, isModel, MODEL_BRAND, type AnyModel } from './define-model.js';
import { createSource, isSource, SOURCE_BRAND, type AnySource } from './define-source.js';
import { fixedSite, siteOf, type DefinitionSite } from './defined-at.js';

/**
 * A package's definitions as data, so a compile can keep them instead of importing and running
 * the package again: each model, source and KPI config with its SQL bodies recorded as
 * templates and other definitions it points at (a relationships test's `to`) by name.
 * Restored, they are definitions that compile to exactly what the originals compile to.
 *
 * What is not data (a function anywhere but an `sql` slot, a body that reads `target.name`, a
 * class instance) is kept in memory as it is, in `live`; records with live values work in this
 * process but cannot be written to a file.
 */
export interface DefinitionRecords {
  models: RecordedDefinition[];
  sources: RecordedDefinition[];
  kpis: RecordedDefinition[];
  /** Values kept as they are; the records are persistable when there are none. */
  live: unknown[];
}

export interface RecordedDefinition {
  /** The config, encoded (see {@link DefinitionRecords}). */
  config: Record<string, unknown>;
  /** `file:line` of the declaration, as `locate` gave it. */
  definedAt?: string;
}

export interface RecordOptions {
  /**
   * Where a definition was declared, from its site (default: the site's own resolution, through
   * Node's source maps). The runner maps bundle positions itself, faster.
   */
  locate?: (site: DefinitionSite | undefined) => string | undefined;
}

/** Keys a definition derives from its config: restoring derives them again. */
const DERIVED = {
  model: new Set(['relationName', 'definedAt']),
  source: new Set(['schema', 'id', 'rowSchema', 'definedAt']),
  kpi: new Set(['definedAt']),
} as const;

/** Records a package's definitions as data. */
export function recordDefinitions(
  definitions: { models: readonly AnyModel[]; sources: readonly AnySource[]; kpis: readonly Kpi[] },
  options: RecordOptions = {},
): DefinitionRecords {
  const live: unknown[] = [];
  const locate = options.locate ?? ((site) => site?.location());
  const record = (definition: object, kind: 'model' | 'source' | 'kpi'): RecordedDefinition => {
    const config: Record<string, unknown> = {};
    for (const key of Object.keys(definition)) {
      if (DERIVED[kind].has(key)) continue;
      const value = encode((definition as Record<string, unknown>)[key], key === 'sql' && kind !== 'source' ? kind : undefined, live);
      if (value !== undefined) config[key] = value;
    }
    const definedAt = locate(siteOf(definition));
    return { config, ...(definedAt === undefined ? {} : { definedAt }) };
  };
  return {
    models: definitions.models.map((m) => record(m, 'model')),
    sources: definitions.sources.map((s) => record(s, 'source')),
    kpis: definitions.kpis.map((k) => record(k, 'kpi')),
    live,
  };
}

export interface RestoreOptions {
  /** Turns a recorded `definedAt` back into the one definitions report (e.g. relative to absolute). */
  definedAt?: (recorded: string) => string;
}

/** Definitions from their records: what {@link recordDefinitions} was given, compiled the same. */
export function restoreDefinitions(records: DefinitionRecords, options: RestoreOptions = {}): { models: AnyModel[]; sources: AnySource[]; kpis: Kpi[] } {
  const site = (recorded: RecordedDefinition) =>
    fixedSite(recorded.definedAt === undefined ? undefined : options.definedAt ? options.definedAt(recorded.definedAt) : recorded.definedAt);
  const config = (recorded: RecordedDefinition) => decode(recorded.config, records.live) as never;
  return {
    models: records.models.map((r) => createModel(config(r), site(r))),
    sources: records.sources.map((r) => createSource(config(r), site(r))),
    kpis: records.kpis.map((r) => createKpi(config(r), site(r))),
  };
}

/** Whether records hold only data, so they can be written to a file and read back. */
export const isPersistable = (records: DefinitionRecords): boolean => records.live.length === 0;

type Encoded =
  | { $template: SqlTemplate }
  | { $model: { name: string; version?: number; relationName: string } }
  | { $source: { system: string; name: string } }
  | { $live: number };

/**
 * JSON values stay as they are; an `sql` function becomes its template; a model or source becomes
 * a reference by name; anything else that JSON cannot hold faithfully is kept live.
 * `sqlSlot` says which kind of body a function in this position is.
 */
function encode(value: unknown, sqlSlot: BodyKind | undefined, live: unknown[]): unknown {
  const keep = (): Encoded => ({ $live: live.push(value) - 1 });
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : keep();
  if (value === undefined) return undefined;
  if (typeof value === 'function') {
    if (!sqlSlot) return keep();
    const template = templateOf(value, sqlSlot, 'discovery');
    // a body that reads the target renders differently per target: keep the live function
    return template.target === undefined ? { $template: template } : keep();
  }
  if (isModel(value)) return { $model: { name: value.name, ...(value.version === undefined ? {} : { version: value.version }), relationName: value.relationName } };
  if (isSource(value)) return { $source: { system: value.system, name: value.name } };
  if (Array.isArray(value)) {
    // a hole in an array (undefined) would come back as null
    if (value.some((item) => item === undefined)) return keep();
    return value.map((item) => encode(item, undefined, live));
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if ((prototype !== Object.prototype && prototype !== null) || Object.getOwnPropertySymbols(value).length > 0) return keep();
    const keys = Object.keys(value);
    // keys that look like our markers would be read back as markers
    if (keys.some((key) => key.startsWith('$'))) return keep();
    const encoded: Record<string, unknown> = {};
    for (const key of keys) {
      const item = encode((value as Record<string, unknown>)[key], key === 'sql' ? 'test' : undefined, live);
      if (item !== undefined) encoded[key] = item;
    }
    return encoded;
  }
  return keep();
}

function decode(value: unknown, live: readonly unknown[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => decode(item, live));
  const marker = value as Partial<Record<string, unknown>>;
  if ('$live' in marker) return live[marker.$live as number];
  if ('$template' in marker) return replayBody(marker.$template as SqlTemplate);
  if ('$model' in marker) return modelReference(marker.$model as { name: string; version?: number; relationName: string });
  if ('$source' in marker) return sourceReference(marker.$source as { system: string; name: string });
  const decoded: Record<string, unknown> = {};
  for (const key of Object.keys(value)) decoded[key] = decode((value as Record<string, unknown>)[key], live);
  return decoded;
}

/**
 * Where a config pointed at a model (a relationships test's `to`), the restored config points at
 * a reference with its names: what tests read of it. The graph supplies the model itself.
 */
const modelReference = (ref: { name: string; version?: number; relationName: string }) => Object.freeze({ [MODEL_BRAND]: true as const, ...ref });
const sourceReference = (ref: { system: string; name: string }) =>
  Object.freeze({ [SOURCE_BRAND]: true as const, ...ref, schema: `raw_${ref.system}`, id: `raw_${ref.system}.${ref.name}` });
