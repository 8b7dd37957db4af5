import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { sql } from 'kysely';
import type { Adapter, CopyTransaction, CsvFormat } from '../adapter/adapter.js';
import { databaseErrorOf, describeDatabaseError } from '../adapter/database-error.js';
import { sqlText } from '../compile/sql-text.js';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import { createLandingTables, summarizeLoadedAtIndex } from '../execute/landing-tables.js';
import { sourceName, type AnySource } from '../model/define-source.js';
import {
  CREATE_VALIDITY_FUNCTION,
  createLinesTable,
  createRowsTable,
  fieldName,
  landCheckedRows,
  LINES_TABLE,
  quarantineRows,
  ROW_FIELDS,
  ROWS_TABLE,
  rowsFromLines,
  type LoadedColumn,
  type ValidityCheck,
} from './checked-rows.js';
import { byteaHex, csvRecords, parseCsvRecord, printableRecord, quoteCsvField, textHoldsExactly, wholeRecords } from './csv-records.js';
import { ensureLoadHistory, LOADS_TABLE, QUARANTINE_TABLE } from './load-history.js';
import { buildSetAsideIndexes, setIndexesAsideIfEmpty, type SetAsideIndex } from './set-aside-indexes.js';

export type LoadFormat = 'csv' | 'ndjson';

export interface LoadOptions {
  /** Default: from the file's extension (.csv, .tsv; .ndjson, .jsonl). */
  format?: LoadFormat;
  /** CSV field delimiter; default `,` (a tab for .tsv). */
  delimiter?: string;
  /** Whether the CSV's first line names its columns (default true). */
  header?: boolean;
  /** The columns of a CSV without a header, in file order (default: the source's, without the loaded-at column). */
  columns?: readonly string[];
  /**
   * More malformed rows than this fail the load, and nothing lands. Default: no limit, except
   * that a file in which no row fits fails.
   */
  maxBadRows?: number;
  /** Load a file again although a file with the same content was loaded into the source before. */
  force?: boolean;
  /**
   * What each index build after a first load into an empty table may sort in, in MB: its
   * `maintenance_work_mem`, raised for that build alone and never lowered (default 256).
   */
  indexBuildMemoryMb?: number;
}

/** A quarantined row, as the result shows the first few. */
export interface QuarantinedRow {
  line: number;
  reason: string;
}

export interface LoadResult {
  loadId: string;
  source: string;
  file: string;
  format: LoadFormat;
  /** `copy`: the file went straight into the landing table; `checked`: COPY refused it, so every row was checked. */
  method: 'copy' | 'checked';
  rowsLoaded: number;
  rowsQuarantined: number;
  /** The first quarantined rows, by line. */
  quarantined: QuarantinedRow[];
  bytes: number;
  sha256: string;
  durationMs: number;
}

/** How many quarantined rows a result and an error show. */
const SHOWN = 5;
/** The most `maintenance_work_mem` Postgres takes: 2^31 - 1 kB. */
const MAX_INDEX_BUILD_MEMORY_MB = Math.floor(2147483647 / 1024);
/** Bytes a file is read in. */
const READ_BYTES = 1024 * 1024;

/**
 * Lands one CSV or NDJSON file in a source's landing table, in one transaction with its row in
 * `warehouse_meta.loads`. A CSV first goes straight in with COPY; if COPY refuses a value or a
 * record, the file is loaded again, checked: the rows that fit land, the others go to
 * `warehouse_meta.quarantine` with their line, their reasons and the record as it was. A file
 * whose content (hashed as it is read) was loaded into the source before is refused (unless
 * `force`), as is one with more malformed rows than `maxBadRows`, or, without that limit, one
 * in which no row fits: then the transaction rolls back and nothing lands. A first load into
 * an empty table builds the table's indexes after it commits (see set-aside-indexes.ts).
 */
export async function loadFile(adapter: Adapter, source: AnySource, file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const started = Date.now();
  const bytes = sizeOf(file);
  const format = options.format ?? formatOf(file);
  const csv: CsvFormat = { delimiter: options.delimiter ?? (extname(file).toLowerCase() === '.tsv' ? '\t' : ',') };
  if (csv.delimiter!.length !== 1) throw new WarehouseError(ErrorCode.loadInvalid, `${file}: the delimiter must be one character, not ${JSON.stringify(csv.delimiter)}`);
  const memoryMb = options.indexBuildMemoryMb;
  // checked before anything lands: the server refuses more than its maximum (2 TB in kB) only when the index is built
  if (memoryMb !== undefined && !(Number.isInteger(memoryMb) && memoryMb >= 1 && memoryMb <= MAX_INDEX_BUILD_MEMORY_MB)) {
    throw new WarehouseError(ErrorCode.loadInvalid, `${file}: the index build memory must be a whole number of MB from 1 to ${MAX_INDEX_BUILD_MEMORY_MB}, not ${memoryMb}`);
  }
  const layout = format === 'csv' ? await csvLayout(source, file, csv.delimiter!, options) : { columns: Object.keys(source.columns), bodyStart: 0 };
  const columns = landedColumns(source, file, layout.columns, format);
  await ensureLoadHistory(adapter);
  await createLandingTables(adapter, [source]);

  const loadId = randomUUID();
  const outcome = await inLoadTransaction(adapter, source, file, async (tx) => {
    // loads into one source take turns: the check for an earlier load of the same file holds
    await tx.query(sqlText(sql`select pg_advisory_xact_lock(hashtext(${sql.lit(`warehouse.load ${sourceName(source)}`)}))`));
    await tx.query(
      sqlText(sql`insert into ${sql.id(LOADS_TABLE.schema, LOADS_TABLE.name)} (load_id, source, file, format, sha256, bytes, method, rows_loaded, rows_quarantined, started_at, finished_at)
values (${sql.lit(loadId)}, ${sql.lit(sourceName(source))}, ${sql.lit(resolve(file))}, ${sql.lit(format)}, '', ${sql.lit(bytes)}, 'copy', 0, 0, now(), now())`),
    );
    if (!options.force) await refuseRepeatEarly(tx, source, file, bytes);
    // the file is hashed as it is read, so the hash is of exactly what landed
    let hash = createHash('sha256');
    let method: LoadResult['method'] = 'checked';
    let rowsLoaded: number | undefined;
    const copied = format === 'csv' ? await tryCopy(tx, source, columns, file, layout.bodyStart, csv, hash) : undefined;
    if (copied) {
      method = 'copy';
      rowsLoaded = copied.rows;
    } else {
      hash = createHash('sha256');
      rowsLoaded = await loadChecked(tx, loadId, source, columns, file, format, layout, csv, hash);
    }
    const sha256 = hash.digest('hex');
    if (!options.force) await refuseRepeat(tx, source, file, sha256);
    await tx.query(summarizeLoadedAtIndex(source));
    const quarantined = await tx.query<{ line: string; reason: string }>(
      sqlText(sql`select line, reason from ${sql.id(QUARANTINE_TABLE.schema, QUARANTINE_TABLE.name)} where load_id = ${sql.lit(loadId)} order by line limit ${sql.lit(SHOWN)}`),
    );
    const { rows: counted } = await tx.query<{ count: string }>(
      sqlText(sql`select count(*)::text as count from ${sql.id(QUARANTINE_TABLE.schema, QUARANTINE_TABLE.name)} where load_id = ${sql.lit(loadId)}`),
    );
    const rowsQuarantined = Number(counted[0]?.count ?? 0);
    const shown = quarantined.rows.map((r) => ({ line: Number(r.line), reason: r.reason }));
    const refusal = badRowsRefusal(source, rowsLoaded, rowsQuarantined, options.maxBadRows);
    if (refusal) {
      throw new WarehouseError(ErrorCode.loadRejected, `${file}: ${refusal} ${describeRows(shown)}`, { details: { file, source: sourceName(source), rowsQuarantined } });
    }
    await tx.query(
      sqlText(sql`update ${sql.id(LOADS_TABLE.schema, LOADS_TABLE.name)} set sha256 = ${sql.lit(sha256)}, method = ${sql.lit(method)}, rows_loaded = ${sql.lit(rowsLoaded)}, rows_quarantined = ${sql.lit(rowsQuarantined)}, finished_at = clock_timestamp() where load_id = ${sql.lit(loadId)}`),
    );
    return { method, rowsLoaded, rowsQuarantined, quarantined: shown, sha256, setAside: copied?.setAside ?? [] };
  });
  const { setAside, ...landed } = outcome;
  const failed = await buildSetAsideIndexes(adapter, setAside, memoryMb);
  if (failed.length > 0) {
    throw new WarehouseError(
      ErrorCode.loadIndexFailed,
      `${file}: ${landed.rowsLoaded} row(s) landed in ${sourceName(source)} (load ${loadId}), but building its index(es) after the load failed: ${failed.join('; ')}. The next load into ${sourceName(source)} creates them again.`,
      { details: { file, source: sourceName(source), loadId, failed: failed.join('; ') } },
    );
  }
  return { loadId, source: sourceName(source), file, format, ...landed, bytes, durationMs: Date.now() - started };
}

/**
 * The load's transaction; a database error that is not one of the load's own refusals (a
 * landing table changed by hand, a lost connection) fails it naming the file and the source.
 */
async function inLoadTransaction<T>(adapter: Adapter, source: AnySource, file: string, work: (tx: CopyTransaction) => Promise<T>): Promise<T> {
  try {
    return await adapter.withCopyTransaction(work);
  } catch (error) {
    if (error instanceof WarehouseError || !databaseErrorOf(error)) throw error;
    throw new WarehouseError(ErrorCode.sqlFailed, `${file}: loading it into ${sourceName(source)} failed, and nothing of it landed: ${describeDatabaseError(error)}`, {
      cause: error,
      details: { file, source: sourceName(source) },
    });
  }
}

/** Why a load with these counts fails, or undefined: more bad rows than the limit, or, without a limit, not one row that fit. */
function badRowsRefusal(source: AnySource, rowsLoaded: number, rowsQuarantined: number, maxBadRows: number | undefined): string | undefined {
  if (maxBadRows !== undefined) {
    return rowsQuarantined > maxBadRows ? `${rowsQuarantined} malformed row(s), more than --max-bad-rows ${maxBadRows}; nothing was loaded into ${sourceName(source)}.` : undefined;
  }
  // a file none of whose rows fit is most likely in another format (delimiter, columns)
  if (rowsQuarantined > 0 && rowsLoaded === 0) {
    return `none of its ${rowsQuarantined} row(s) fit ${sourceName(source)}, so nothing was loaded; is it in another format (delimiter, columns, encoding)? Give --max-bad-rows to quarantine them anyway.`;
  }
  return undefined;
}

/** `line 4: order_id: 'x' is not a valid bigint; line 9: ...` */
export function describeRows(rows: readonly QuarantinedRow[]): string {
  return rows.length === 0 ? '' : `First: ${rows.map((r) => `line ${r.line}: ${r.reason}`).join('; ')}`;
}

function sizeOf(file: string): number {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    return stat.size;
  } catch (error) {
    throw new WarehouseError(ErrorCode.loadInvalid, `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function formatOf(file: string): LoadFormat {
  const extension = extname(file).toLowerCase();
  if (extension === '.csv' || extension === '.tsv') return 'csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  throw new WarehouseError(ErrorCode.loadInvalid, `${file}: cannot tell the format from the extension ${extension || '(none)'}; name it .csv, .tsv, .ndjson or .jsonl, or give --format`);
}

/** The file's bytes from `start` on; all of them, from the first, go into `hash` as they are read. */
async function* read(file: string, start: number, hash: Hash): AsyncGenerator<Buffer> {
  if (start > 0) for await (const chunk of createReadStream(file, { start: 0, end: start - 1 }) as AsyncIterable<Buffer>) hash.update(chunk);
  for await (const chunk of createReadStream(file, { start, highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    yield chunk;
  }
}

/** The CSV's columns (its header, or as given) and where its first record after the header starts. */
async function csvLayout(source: AnySource, file: string, delimiter: string, options: LoadOptions): Promise<{ columns: string[]; bodyStart: number }> {
  if (options.header === false) return { columns: [...(options.columns ?? Object.keys(source.columns).filter((c) => c !== source.loadedAt))], bodyStart: 0 };
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    for await (const header of csvRecords(stream as AsyncIterable<Buffer>, delimiter)) {
      if (header.line !== 1) throw new WarehouseError(ErrorCode.loadInvalid, `${file}: line 1 is blank; a CSV needs a header line naming its columns (or --no-header)`);
      if (header.problem) throw new WarehouseError(ErrorCode.loadInvalid, `${file}: the header line ${header.problem}`);
      const text = header.bytes.toString('utf8').replace(/^\uFEFF/, '');
      return { columns: parseCsvRecord(text, delimiter).map((c) => c.trim()), bodyStart: header.end };
    }
  } finally {
    stream.destroy();
  }
  throw new WarehouseError(ErrorCode.loadInvalid, `${file}: the file is empty; a CSV needs a header line naming its columns (or --no-header)`);
}

/** The source columns a file's columns land in, checked: every column named must exist, once; every NOT NULL one must be there. */
function landedColumns(source: AnySource, file: string, names: readonly string[], format: LoadFormat): LoadedColumn[] {
  const problems: string[] = [];
  const known = Object.keys(source.columns);
  const seen = new Set<string>();
  for (const name of names) {
    if (!(name in source.columns)) problems.push(`column ${JSON.stringify(name)} is not a column of ${sourceName(source)}`);
    else if (seen.has(name)) problems.push(`column ${name} appears twice`);
    seen.add(name);
  }
  if (format === 'csv') {
    const missing = known.filter((c) => source.columns[c]!.nullable === false && c !== source.loadedAt && !seen.has(c));
    if (missing.length > 0) problems.push(`NOT NULL column(s) ${missing.join(', ')} are missing`);
  }
  if (problems.length > 0) {
    throw new WarehouseError(ErrorCode.loadInvalid, `${file}: ${problems.join('; ')} (the columns of ${sourceName(source)}: ${known.join(', ')})`, { details: { file, source: sourceName(source) } });
  }
  return names.map((name, i) => ({ name, spec: source.columns[name]!, field: fieldName(i) }));
}

/**
 * Refuses a repeated file before any of it is copied, when an earlier load into the source was
 * of a file of the same size: then the file is hashed first (a read at disk speed, where a
 * COPY of it and its rollback cost many times that). A file of a size never loaded is not read
 * twice; the check after the COPY still covers it, and a file changed between the two reads.
 */
async function refuseRepeatEarly(tx: CopyTransaction, source: AnySource, file: string, bytes: number): Promise<void> {
  const { rows } = await tx.query(
    sqlText(sql`select from ${sql.id(LOADS_TABLE.schema, LOADS_TABLE.name)} where source = ${sql.lit(sourceName(source))} and bytes = ${sql.lit(bytes)} and sha256 <> '' limit 1`),
  );
  if (rows.length === 0) return;
  const hash = createHash('sha256');
  for await (const chunk of read(file, 0, hash)) void chunk;
  await refuseRepeat(tx, source, file, hash.digest('hex'));
}

/** A load that has seen this content land in the source before stops, naming that load. */
async function refuseRepeat(tx: CopyTransaction, source: AnySource, file: string, sha256: string): Promise<void> {
  const { rows } = await tx.query<{ load_id: string; file: string; finished_at: Date | string }>(
    sqlText(sql`select load_id, file, finished_at from ${sql.id(LOADS_TABLE.schema, LOADS_TABLE.name)} where source = ${sql.lit(sourceName(source))} and sha256 = ${sql.lit(sha256)} order by finished_at desc limit 1`),
  );
  const earlier = rows[0];
  if (!earlier) return;
  const when = earlier.finished_at instanceof Date ? earlier.finished_at.toISOString() : String(earlier.finished_at);
  throw new WarehouseError(
    ErrorCode.loadRepeated,
    `${file}: the same content was loaded into ${sourceName(source)} at ${when} (load ${earlier.load_id}, from ${earlier.file}); nothing was loaded (--force loads it again)`,
    { details: { file, source: sourceName(source), earlierLoad: earlier.load_id } },
  );
}

/** SQLSTATE classes of a COPY refusing the data itself: data exceptions, integrity violations. */
const refusesData = (error: unknown) => /^(22|23)/.test(databaseErrorOf(error)?.code ?? '');

/**
 * Runs `work` inside a savepoint: its result, or undefined when the database refused the data
 * (a value, a record), in which case the savepoint undoes all of it.
 */
async function unlessRefused<T>(tx: CopyTransaction, work: () => Promise<T>): Promise<T | undefined> {
  await tx.query('savepoint wh_load_attempt');
  try {
    const result = await work();
    await tx.query('release savepoint wh_load_attempt');
    return result;
  } catch (error) {
    if (!refusesData(error)) throw error;
    await tx.query('rollback to savepoint wh_load_attempt');
    return undefined;
  }
}

/**
 * The fast path: the file's records go straight into the landing table; undefined when COPY
 * refused them. Into an empty table, its indexes are set aside for after the commit.
 */
function tryCopy(
  tx: CopyTransaction,
  source: AnySource,
  columns: readonly LoadedColumn[],
  file: string,
  bodyStart: number,
  csv: CsvFormat,
  hash: Hash,
): Promise<{ rows: number; setAside: SetAsideIndex[] } | undefined> {
  return unlessRefused(tx, async () => {
    const setAside = await setIndexesAsideIfEmpty(tx, source);
    const rows = await tx.copyCsv({ schema: source.schema, table: source.name, columns: columns.map((c) => c.name) }, wholeRecords(read(file, bodyStart, hash)), csv);
    return { rows, setAside };
  });
}

/** The checked path: records into the rows table as text, then quarantine and landing in SQL. */
async function loadChecked(
  tx: CopyTransaction,
  loadId: string,
  source: AnySource,
  columns: readonly LoadedColumn[],
  file: string,
  format: LoadFormat,
  layout: { bodyStart: number },
  csv: CsvFormat,
  hash: Hash,
): Promise<number> {
  if (format === 'csv') {
    await tx.query(createRowsTable(columns.length));
    const fields = [...ROW_FIELDS, ...columns.map((c) => c.field)];
    await tx.copyCsv({ schema: ROWS_TABLE.schema, table: ROWS_TABLE.name, columns: fields }, csvRows(file, layout, columns.length, csv.delimiter!, hash), csv);
  } else {
    await tx.query(createLinesTable());
    await tx.copyCsv({ schema: LINES_TABLE.schema, table: LINES_TABLE.name, columns: [...ROW_FIELDS] }, ndjsonRows(file, source, hash), {});
    await tx.query(rowsFromLines(columns));
  }
  const landed = (await landCasting(tx, loadId, source, columns)) ?? (await landValidating(tx, loadId, source, columns, await validityCheck(tx)));
  await tx.query(sqlText(sql`drop table ${sql.id(ROWS_TABLE.schema, ROWS_TABLE.name)}`));
  return landed;
}

/**
 * The rows table landed as it is, only the problems found while reading quarantined: enough
 * when every value fits (NDJSON, or a CSV COPY refused for a record's shape alone). Undefined
 * when a cast or a NOT NULL refuses a value.
 */
function landCasting(tx: CopyTransaction, loadId: string, source: AnySource, columns: readonly LoadedColumn[]): Promise<number | undefined> {
  return unlessRefused(tx, async () => {
    await tx.query(quarantineRows(loadId, source, columns, undefined));
    return (await tx.query(landCheckedRows(loadId, source, columns))).rowCount;
  });
}

/** Every value checked against its column, each row that has a bad one quarantined with all its reasons, the rest landed. */
async function landValidating(tx: CopyTransaction, loadId: string, source: AnySource, columns: readonly LoadedColumn[], check: ValidityCheck): Promise<number> {
  await tx.query(quarantineRows(loadId, source, columns, check));
  return (await tx.query(landCheckedRows(loadId, source, columns))).rowCount;
}

/** pg_input_is_valid from PostgreSQL 16 on; a function of this session's own before. */
async function validityCheck(tx: CopyTransaction): Promise<ValidityCheck> {
  const { rows } = await tx.query<{ version: string }>(`select current_setting('server_version_num') as version`);
  if (Number(rows[0]?.version ?? 0) >= 160000) return 'pg_input_is_valid';
  await tx.query(CREATE_VALIDITY_FUNCTION);
  return 'pg_temp.wh_input_is_valid';
}

/** The rows table's records for a CSV: `line,record,problem,fields...`, in pieces of whole records. */
async function* csvRows(file: string, layout: { bodyStart: number }, fields: number, delimiter: string, hash: Hash): AsyncGenerator<Buffer> {
  const d = Buffer.from(delimiter);
  const padding = Buffer.from(delimiter.repeat(fields));
  let parts: Buffer[] = [];
  let size = 0;
  // read from the first byte, so that records are numbered by their lines in the file; the header is left out
  for await (const record of csvRecords(read(file, 0, hash), delimiter)) {
    if (record.end <= layout.bodyStart) continue;
    const problem = record.problem ?? (record.fields !== fields ? `has ${record.fields} field(s); ${fields} expected` : undefined);
    // only a record with a problem can be one that text does not hold exactly
    const bytes = problem !== undefined && !textHoldsExactly(record.bytes) ? byteaHex(record.bytes) : '';
    const head = Buffer.from(`${record.line}${delimiter}${quoteCsvField(printableRecord(record.bytes))}${delimiter}${problem === undefined ? '' : quoteCsvField(problem)}${delimiter}${bytes}`);
    const row = problem === undefined ? [head, d, record.bytes] : [head, padding];
    for (const part of row) {
      parts.push(part);
      size += part.length;
    }
    parts.push(NEWLINE);
    size++;
    if (size >= READ_BYTES) {
      yield Buffer.concat(parts);
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.concat(parts);
}
const NEWLINE = Buffer.from('\n');

/**
 * The lines table's records for NDJSON: each line checked to be a JSON object of the source's
 * columns. Lines are cut on bytes, so a line that is not UTF-8 keeps its bytes for the quarantine.
 */
async function* ndjsonRows(file: string, source: AnySource, hash: Hash): AsyncGenerator<string> {
  let line = 0;
  let out: string[] = [];
  let size = 0;
  const emit = (text: Buffer) => {
    line++;
    let bytes = line === 1 && text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf ? text.subarray(3) : text; // a byte order mark
    if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    const exact = textHoldsExactly(bytes);
    const record = exact ? bytes.toString('utf8') : printableRecord(bytes);
    if (record.trim() === '') return;
    const problem = exact ? jsonProblem(record, source) : bytes.includes(0) ? 'contains a NUL character, which Postgres cannot store in text' : 'is not valid UTF-8';
    const row = `${line},${quoteCsvField(record)},${problem === undefined ? '' : quoteCsvField(problem)},${exact ? '' : byteaHex(bytes)}\n`;
    out.push(row);
    size += row.length;
  };
  let carry: Buffer | undefined;
  for await (const chunk of read(file, 0, hash)) {
    const buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let newline = buffer.indexOf(0x0a); newline >= 0; newline = buffer.indexOf(0x0a, start)) {
      emit(buffer.subarray(start, newline));
      start = newline + 1;
    }
    carry = start < buffer.length ? buffer.subarray(start) : undefined;
    if (size >= READ_BYTES) {
      yield out.join('');
      out = [];
      size = 0;
    }
  }
  if (carry) emit(carry);
  if (out.length > 0) yield out.join('');
}

/** `\ud83d` not followed by a low half, or `\ude00` not preceded by a high one: JSON.parse takes them, jsonb does not. */
const LONE_SURROGATE = /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

/** Why an NDJSON line cannot land as it is, if it cannot. */
function jsonProblem(record: string, source: AnySource): string | undefined {
  // the record is UTF-8 without NUL bytes (see ndjsonRows); JSON can still spell a NUL
  if (record.includes('\\u0000')) return 'contains a NUL character, which Postgres cannot store in text';
  if (LONE_SURROGATE.test(record)) return 'has a \\u escape of half a UTF-16 surrogate pair, which Postgres cannot store';
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch (error) {
    return `is not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const unknown = Object.keys(value).filter((k) => !(k in source.columns));
  if (unknown.length > 0) return `has field(s) ${unknown.join(', ')}, which are not columns of ${sourceName(source)}`;
  return undefined;
}

