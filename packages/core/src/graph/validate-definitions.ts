import { ErrorCode, type Problem } from '../errors/warehouse-error.js';
import { canonicalPgType, parsePgType } from '../model/column-types.js';
import type { Columns } from '../model/columns.js';
import type { AnyModel } from '../model/define-model.js';
import type { AnySource } from '../model/define-source.js';

/** Postgres truncates identifiers at 63 bytes; builds add a suffix of up to 8 (`__wh_new`). */
export const MAX_MODEL_NAME_LENGTH = 55;
const identifier = /^[a-z_][a-z0-9_]*$/;

const kinds = new Set(['fact', 'dim', 'staging']);
const materializations = new Set(['view', 'table', 'incremental', 'snapshot']);
const accessLevels = new Set(['public', 'protected', 'private']);

/** Checks one model's declaration on its own (not its edges); every problem is returned. */
export function validateModelDefinition(model: AnyModel, packageDomain: string | undefined): Problem[] {
  const problems: Problem[] = [];
  // where the model is declared is looked up (through source maps) only for a problem
  const where = () => (model.definedAt ? ` (${model.definedAt})` : '');
  const add = (message: string) => problems.push({ code: ErrorCode.modelInvalid, model: model.name, message: `model ${model.name}${where()}: ${message}` });

  if (typeof model.name !== 'string' || !identifier.test(model.name)) {
    add('its name must be a lower-case SQL identifier (letters, digits, underscores)');
  } else if ((model.relationName ?? model.name).length > MAX_MODEL_NAME_LENGTH) {
    add(`its relation name ${model.relationName} is longer than ${MAX_MODEL_NAME_LENGTH} characters`);
  }
  if (model.version !== undefined && (!Number.isInteger(model.version) || model.version < 1)) {
    add(`its version must be a whole number of at least 1, got ${JSON.stringify(model.version)}`);
  }
  if (model.latest && model.version === undefined) add('only a versioned model can be marked latest');
  if (model.deprecationDate !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(model.deprecationDate) || Number.isNaN(Date.parse(model.deprecationDate)))) {
    add(`its deprecationDate must be a date (YYYY-MM-DD), got ${JSON.stringify(model.deprecationDate)}`);
  }
  if (!kinds.has(model.kind)) add(`kind must be one of fact, dim, staging, got ${JSON.stringify(model.kind)}`);
  if (!materializations.has(model.materialized)) {
    add(`materialized must be one of ${[...materializations].join(', ')}, got ${JSON.stringify(model.materialized)}`);
  }
  if (!accessLevels.has(model.access)) add(`access must be public, protected or private, got ${JSON.stringify(model.access)}`);
  if (model.access === 'private' && !model.group) add('a private model needs a group');
  if (!model.description?.trim()) add('it needs a description');
  if (!model.owner?.trim()) add('it needs an owner');
  if (typeof model.sql !== 'function') add('sql must be a function of the model context');
  if (typeof model.domain !== 'string' || !identifier.test(model.domain)) {
    add('its domain must be a lower-case SQL identifier');
  } else if (packageDomain !== undefined && model.domain !== packageDomain) {
    problems.push({
      code: ErrorCode.domainMismatch,
      model: model.name,
      message: `model ${model.name}${where()} declares domain ${model.domain}, but its package owns domain ${packageDomain}`,
    });
  }
  problems.push(...validateColumns(model.columns, () => `model ${model.name}${where()}`, model.name));
  const columns = model.columns ?? {};
  if (!Array.isArray(model.grain) || model.grain.length === 0) add('it needs a grain (the columns that make a row unique)');
  else for (const column of model.grain) if (!(column in columns)) add(`its grain column ${column} is not in its columns`);
  for (const column of model.contract?.primaryKey ?? []) {
    if (!(column in columns)) add(`its primary key column ${column} is not in its columns`);
    else if (columns[column]!.nullable !== false) add(`its primary key column ${column} must be declared nullable: false`);
  }
  if (model.contract?.primaryKey && (model.materialized === 'view' || !model.contract.enforced)) {
    add('a primary key needs an enforced contract on a table');
  }
  for (const index of model.indexes ?? []) {
    if (model.materialized === 'view') add('a view cannot have indexes');
    for (const column of index) if (!(column in columns)) add(`its index column ${column} is not in its columns`);
  }
  if (model.materialized === 'incremental') problems.push(...validateIncremental(model, add));
  else if (model.incremental) add('it has incremental settings but is not materialized as incremental');
  if (model.materialized === 'snapshot') validateSnapshot(model, add);
  else if (model.snapshot) add('it has snapshot settings but is not materialized as snapshot');
  return problems;
}

function validateIncremental(model: AnyModel, add: (message: string) => void): Problem[] {
  const config = model.incremental;
  const columns = model.columns ?? {};
  if (!config) {
    add("an incremental model needs incremental settings, e.g. incremental: { strategy: 'merge' }");
    return [];
  }
  if (!['merge', 'delete+insert', 'append'].includes(config.strategy)) {
    add(`incremental.strategy must be merge, delete+insert or append, got ${JSON.stringify(config.strategy)}`);
  }
  for (const column of config.uniqueKey ?? []) if (!(column in columns)) add(`its incremental uniqueKey column ${column} is not in its columns`);
  if (config.eventTime !== undefined && !(config.eventTime in columns)) add(`its incremental eventTime column ${config.eventTime} is not in its columns`);
  if (config.lookback && config.eventTime === undefined) add('an incremental lookback needs an eventTime column');
  if (config.onSchemaChange !== undefined && !['fail', 'append_new_columns'].includes(config.onSchemaChange)) {
    add(`incremental.onSchemaChange must be fail or append_new_columns, got ${JSON.stringify(config.onSchemaChange)}`);
  }
  return [];
}

function validateSnapshot(model: AnyModel, add: (message: string) => void): void {
  const config = model.snapshot;
  const columns = model.columns ?? {};
  if (!config) {
    add("a snapshot needs snapshot settings, e.g. snapshot: { uniqueKey: ['id'], strategy: 'timestamp', updatedAt: 'updated_at' }");
    return;
  }
  if (!config.uniqueKey?.length) add('snapshot.uniqueKey needs at least one column');
  for (const column of config.uniqueKey ?? []) if (!(column in columns)) add(`its snapshot uniqueKey column ${column} is not in its columns`);
  const expected: Record<string, string> = { valid_from: 'timestamptz', valid_to: 'timestamptz', is_current: 'boolean' };
  for (const [column, type] of Object.entries(expected)) {
    if (canonicalPgType(columns[column]?.type ?? '') !== canonicalPgType(type)) add(`a snapshot's contract needs ${column} ${type}`);
  }
  if (columns.valid_to?.nullable === false) add('valid_to must be nullable: it is null while a version is current');
  if (config.strategy === 'timestamp') {
    if (!config.updatedAt || !(config.updatedAt in columns)) add('a timestamp snapshot needs updatedAt, a column of its contract');
  } else if (config.strategy === 'check') {
    if (!config.checkColumns?.length) add('a check snapshot needs checkColumns');
    for (const column of config.checkColumns ?? []) if (!(column in columns)) add(`its snapshot check column ${column} is not in its columns`);
  } else add(`snapshot.strategy must be timestamp or check, got ${JSON.stringify(config.strategy)}`);
  if (config.deletedFlag !== undefined && config.deletedFlag in columns) {
    add(`its snapshot deletedFlag ${config.deletedFlag} is consumed by the snapshot and must not be in its columns`);
  }
  for (const column of config.overwriteColumns ?? []) if (!(column in columns)) add(`its snapshot overwrite column ${column} is not in its columns`);
}

/** Checks one source's declaration on its own. */
export function validateSourceDefinition(source: AnySource): Problem[] {
  const problems: Problem[] = [];
  const label = () => `source ${source.id}${source.definedAt ? ` (${source.definedAt})` : ''}`;
  const add = (message: string) => problems.push({ code: ErrorCode.sourceInvalid, model: source.id, message: `${label()}: ${message}` });
  if (!identifier.test(source.system)) add('its system must be a lower-case SQL identifier');
  if (!identifier.test(source.name)) add('its name must be a lower-case SQL identifier');
  problems.push(...validateColumns(source.columns, label, source.id));
  const columns = source.columns ?? {};
  for (const column of source.primaryKey ?? []) if (!(column in columns)) add(`its primary key column ${column} is not in its columns`);
  if (!(source.loadedAt in columns)) add(`its loadedAt column ${source.loadedAt} is not in its columns`);
  for (const index of source.indexes ?? []) for (const column of index) if (!(column in columns)) add(`its index on (${index.join(', ')}) names column ${column}, which is not in its columns`);
  return problems;
}

function validateColumns(columns: Columns | undefined, label: () => string, subject: string): Problem[] {
  const problems: Problem[] = [];
  if (!columns || Object.keys(columns).length === 0) {
    return [{ code: ErrorCode.contractInvalid, model: subject, message: `${label()}: it declares no columns` }];
  }
  for (const [name, spec] of Object.entries(columns)) {
    if (!identifier.test(name)) {
      problems.push({ code: ErrorCode.contractInvalid, model: subject, message: `${label()}: column ${JSON.stringify(name)} is not a lower-case SQL identifier` });
    }
    if (!spec || typeof spec.type !== 'string' || !parsePgType(spec.type)) {
      problems.push({
        code: ErrorCode.contractInvalid,
        model: subject,
        message: `${label()}: column ${name} has unknown type ${JSON.stringify(spec?.type)}`,
      });
    }
  }
  return problems;
}
