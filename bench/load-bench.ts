import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, ROOT, warehouse, type Database } from './bench-database.js';
import { figure, mustSucceed, timed, type Figure } from './measure.js';

/** The columns of sales.order_lines a delivery carries (the loaded-at column is the load's). */
const COLUMNS = ['order_line_id', 'order_id', 'product_id', 'quantity', 'unit_price', 'discount', 'offer_id', 'updated_at'];
/** The same columns, typed, without constraints or indexes: what a raw COPY goes into. */
const UNCONSTRAINED = `create table bench_raw_copy (order_line_id bigint, order_id bigint, product_id bigint, quantity integer, unit_price numeric(12,2),
  discount numeric(12,2), offer_id bigint, updated_at timestamptz, _loaded_at timestamptz default now())`;

/**
 * A delivery of order lines as a CSV with a header: `rows` lines, deterministic, written once
 * and kept under bench/.work (its name carries the row count).
 */
async function orderLinesCsv(rows: number): Promise<string> {
  const file = join(ROOT, 'bench/.work', `order_lines-${rows}.csv`);
  if (existsSync(file)) return file;
  mkdirSync(join(ROOT, 'bench/.work'), { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())));
  await write(`${COLUMNS.join(',')}\n`);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let lines: string[] = [];
  for (let i = 1; i <= rows; i++) {
    const price = 1 + random() * 200;
    const offer = random() < 0.2 ? String(1 + Math.floor(random() * 50)) : '';
    const at = new Date(Date.UTC(2025, 0, 1) + Math.floor(i / 3) * 15_000).toISOString();
    lines.push(`${i},${Math.floor(i / 3) + 1},${1 + Math.floor(random() * 5000)},${1 + Math.floor(random() * 4)},${price.toFixed(2)},${offer ? (price * 0.1).toFixed(2) : '0.00'},${offer},${at}\n`);
    if (lines.length === 10_000) {
      await write(lines.join(''));
      lines = [];
    }
  }
  await write(lines.join(''));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  renameSync(partial, file);
  return file;
}

async function sqlOn(database: Database, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Each timed step starts right after a checkpoint: each writes 0.2 to 0.5 GB of WAL, so
 * back to back the server's own WAL-triggered checkpoints (max_wal_size) ran nearly all the
 * time and fell on one step or the next by chance. Each step still pays for the WAL it writes.
 * A role that may not checkpoint (neither superuser nor pg_checkpoint) measures without.
 */
async function checkpoint(database: Database): Promise<void> {
  await sqlOn(database, 'checkpoint').catch(() => undefined);
}

/** psql's `\copy` of the file into a table: the raw COPY a load is measured against. */
const psqlCopy = (database: Database, table: string, file: string) =>
  mustSucceed(timed('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy ${table} (${COLUMNS.join(', ')}) from '${file}' with (format csv, header true)`, database.url]), `psql \\copy into ${table}`);

/**
 * Load figures on the real server, for one CSV of `rows` order lines:
 * - `warehouse load` into the empty landing table (its indexes built after the rows are in)
 *   against psql's `\copy` of the same file into an unconstrained table;
 * - `warehouse load` into the landing table when it already holds the rows of earlier loads
 *   (indexes kept up to date row by row) against psql's `\copy` into that same table: what
 *   the loader itself adds to a nightly load.
 * Ratios here are throughput: baseline time / load time, higher is better.
 */
export async function loadFigures(serverUrl: string, rows: number, runs: number, log: (line: string) => void): Promise<Figure[]> {
  log(`load: writing a CSV of ${rows.toLocaleString('en-US')} order lines`);
  const file = await orderLinesCsv(rows);
  const database = await createDatabase(serverUrl);
  const fresh: number[] = [];
  const raw: number[] = [];
  const occupied: number[] = [];
  const copyInto: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      await sqlOn(database, `drop table if exists bench_raw_copy; ${UNCONSTRAINED}`);
      await checkpoint(database);
      raw.push((await psqlCopy(database, 'bench_raw_copy', file)).seconds);
      await sqlOn(database, 'drop table bench_raw_copy; drop schema if exists raw_sales cascade');
      await checkpoint(database);
      fresh.push((await warehouse(database, ['load', 'sales.order_lines', file, '--force'])).seconds);
      // the landing table now holds one delivery; the next two go on top of it
      await checkpoint(database);
      copyInto.push((await psqlCopy(database, 'raw_sales.order_lines', file)).seconds);
      await checkpoint(database);
      occupied.push((await warehouse(database, ['load', 'sales.order_lines', file, '--force'])).seconds);
      log(`load run ${run + 1}: raw COPY ${raw.at(-1)!.toFixed(1)} s, load into the empty table ${fresh.at(-1)!.toFixed(1)} s; into the table with rows: psql ${copyInto.at(-1)!.toFixed(1)} s, load ${occupied.at(-1)!.toFixed(1)} s`);
    }
  } finally {
    await database.drop();
  }
  const throughput = { ratioOf: 'baseline / value' as const, paired: true };
  return [
    figure(`load ${rows.toLocaleString('en-US')}-line CSV into an empty landing table (s)`, 's', fresh, raw, {
      ...throughput,
      target: 'ratio >= 0.70',
      note: 'baseline: psql \\copy of the same file into an unconstrained table; ratio = baseline / load',
    }),
    figure(`load the same CSV into a landing table holding rows (s)`, 's', occupied, copyInto, {
      ...throughput,
      note: 'baseline: psql \\copy of the same file into that same table, just before; ratio = baseline / load',
    }),
  ];
}
