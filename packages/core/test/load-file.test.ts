import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { defineSource, ErrorCode, loadFile, type WarehouseError } from '../src/index.js';
import { testDatabaseKinds } from '../src/testing/index.js';
import { useTestDatabase } from './support/database.js';
import { query } from './support/build.js';

const tills = defineSource({
  system: 'shop',
  name: 'tills',
  description: 'Till receipts as delivered.',
  columns: {
    receipt_id: { type: 'bigint', nullable: false },
    store: { type: 'text', nullable: false },
    currency: { type: 'char(3)', nullable: false },
    amount: { type: 'numeric(12,2)' },
    sold_on: { type: 'date' },
    updated_at: { type: 'timestamptz', nullable: false },
    _loaded_at: { type: 'timestamptz', nullable: false },
  },
  primaryKey: ['receipt_id', 'updated_at'],
  loadedAt: '_loaded_at',
});

const dir = mkdtempSync(join(tmpdir(), 'warehouse-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A file of its own per call: a load refuses content it has seen. */
const fileWith = (name: string, content: string | Buffer) => {
  const path = join(dir, `${files++}-${name}`);
  writeFileSync(path, content);
  return path;
};

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as WarehouseError;
  }
  throw new Error('expected the load to fail');
};

describe.each(await testDatabaseKinds())('loading files on %s', (kind) => {
  const db = useTestDatabase(kind);
  const rows = () => query<{ receipt_id: string; store: string; currency: string; amount: string | null }>(db.current.adapter, 'select receipt_id, store, currency, amount from raw_shop.tills order by receipt_id');
  /** Line and hex bytes of the load's quarantined rows that carry their bytes. */
  const recordBytes = async (loadId: string) =>
    (
      await query<{ line: string; hex: string }>(
        db.current.adapter,
        `select line, encode(record_bytes, 'hex') as hex from warehouse_meta.quarantine where load_id = '${loadId}' and record_bytes is not null order by line`,
      )
    ).map((r) => [Number(r.line), r.hex]);
  // each test starts from an empty landing table (the first load creates it)
  beforeEach(() => query(db.current.adapter, 'drop table if exists raw_shop.tills'));

  it('copies a clean CSV straight in, columns by header name, the loaded-at column filled with the load time', async () => {
    const file = fileWith('tills.csv', 'updated_at,currency,receipt_id,store,amount\n2026-01-02T10:00:00Z,EUR,1,"Lyon, Part-Dieu",12.50\n2026-01-02T11:00:00Z,EUR,2,Paris,\n');
    const result = await loadFile(db.current.adapter, tills, file);
    expect(result).toMatchObject({ source: 'shop.tills', method: 'copy', rowsLoaded: 2, rowsQuarantined: 0, format: 'csv' });
    // hashed while it was copied: header and body, every byte
    expect(result.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(await rows()).toEqual([
      { receipt_id: '1', store: 'Lyon, Part-Dieu', currency: 'EUR', amount: '12.50' },
      { receipt_id: '2', store: 'Paris', currency: 'EUR', amount: null },
    ]);
    const [loaded] = await query<{ n: string; loads: string }>(
      db.current.adapter,
      `select count(*) filter (where _loaded_at is not null)::text as n, (select count(*)::text from warehouse_meta.loads where load_id = '${result.loadId}' and rows_loaded = 2 and method = 'copy') as loads from raw_shop.tills`,
    );
    expect(loaded).toEqual({ n: '2', loads: '1' });
    // the empty table's indexes were set aside for the COPY and built after it
    const indexes = await query<{ indexdef: string }>(db.current.adapter, `select indexdef from pg_indexes where schemaname = 'raw_shop' and tablename = 'tills' order by indexname`);
    expect(indexes.map((i) => i.indexdef.replace(/^.* USING /, ''))).toEqual(["brin (_loaded_at) WITH (autosummarize='on')", 'btree (receipt_id, updated_at)']);
  });

  it('lands the good rows of a file COPY refuses and quarantines each bad one with its line, reasons and record', async () => {
    const file = fileWith(
      'tills.csv',
      Buffer.concat([
        Buffer.from(
          [
            'receipt_id,store,currency,amount,sold_on,updated_at',
            '1,"multi',
            'line store",EUR,1.00,2026-01-02,2026-01-02T10:00:00Z', // lines 2-3: one good record
            'x2,Lyon,EUR,2.00,2026-01-02,2026-01-02T10:00:00Z', // 4: not a bigint
            '3,,EURO,99999999999.00,2026-02-30,2026-01-02T10:00:00Z', // 5: four reasons
            '4,Nice,EUR', // 6: too few fields
            '',
            '5,Metz,EUR,5.00,2026-01-02,2026-01-02T10:00:00Z', // 8: good, after a blank line
            '',
          ].join('\n'),
        ),
        Buffer.from('6,Caen\xff,EUR,6.00,2026-01-02,2026-01-02T10:00:00Z\n', 'latin1'), // 9: not UTF-8
        Buffer.from('7,"Brest,EUR,7.00,2026-01-02,2026-01-02T10:00:00Z\n'), // 10: a quote never closed
      ]),
    );
    const result = await loadFile(db.current.adapter, tills, file);
    expect(result).toMatchObject({ method: 'checked', rowsLoaded: 2, rowsQuarantined: 5 });
    expect(result.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(await rows()).toEqual([
      { receipt_id: '1', store: 'multi\nline store', currency: 'EUR', amount: '1.00' },
      { receipt_id: '5', store: 'Metz', currency: 'EUR', amount: '5.00' },
    ]);
    const quarantined = await query<{ line: string; reason: string; record: string; source: string }>(
      db.current.adapter,
      `select line, reason, record, source from warehouse_meta.quarantine where load_id = '${result.loadId}' order by line`,
    );
    expect(quarantined.map((q) => [Number(q.line), q.reason])).toEqual([
      [4, `receipt_id: 'x2' is not a valid bigint`],
      [5, `store: missing, and the column is NOT NULL; currency: 'EURO' is longer than 3 characters; amount: '99999999999.00' is not a valid numeric(12,2); sold_on: '2026-02-30' is not a valid date`],
      [6, 'has 3 field(s); 6 expected'],
      [9, 'is not valid UTF-8'],
      [10, 'has a quoted field that is never closed'],
    ]);
    expect(quarantined[0]).toMatchObject({ record: 'x2,Lyon,EUR,2.00,2026-01-02,2026-01-02T10:00:00Z', source: 'shop.tills' });
    expect(result.quarantined.map((q) => q.line)).toEqual([4, 5, 6, 9, 10]);
    // the record text cannot hold: byte for byte beside it; the others need no bytes
    expect(await recordBytes(result.loadId)).toEqual([[9, Buffer.from('6,Caen\xff,EUR,6.00,2026-01-02,2026-01-02T10:00:00Z', 'latin1').toString('hex')]]);
  });

  it('refuses a file whose content it loaded before, unless forced', async () => {
    const content = 'receipt_id,store,currency,updated_at\n10,Dijon,EUR,2026-01-03T09:00:00Z\n';
    const first = await loadFile(db.current.adapter, tills, fileWith('day.csv', content));
    const again = fileWith('day-copy.csv', content);
    const error = await failure(loadFile(db.current.adapter, tills, again));
    expect(error.code).toBe(ErrorCode.loadRepeated);
    expect(error.message).toContain(again);
    expect(error.message).toContain(first.loadId);
    expect((await rows()).length).toBe(1);
    await loadFile(db.current.adapter, tills, again, { force: true });
    expect((await rows()).length).toBe(2);
  });

  it('refuses a repeat before copying any of it: a table that could not take the file still refuses it as a repeat', async () => {
    const content = 'receipt_id,store,currency,updated_at\n12,Metz,EUR,2026-01-04T09:00:00Z\n';
    const first = await loadFile(db.current.adapter, tills, fileWith('day.csv', content));
    // a COPY into this table now fails on the column it lacks; the check before it never gets there
    await query(db.current.adapter, 'alter table raw_shop.tills rename column store to shop');
    const error = await failure(loadFile(db.current.adapter, tills, fileWith('day-resent.csv', content)));
    expect(error.code).toBe(ErrorCode.loadRepeated);
    expect(error.message).toContain(first.loadId);
    // a file of the same size and other content is hashed first, then goes on to the COPY, which fails on the column
    const otherFile = fileWith('day-other.csv', content.replace('Metz', 'Albi'));
    const other = await failure(loadFile(db.current.adapter, tills, otherFile));
    // named with the file and the source
    expect(other.code).toBe(ErrorCode.sqlFailed);
    expect(other.message).toBe(`${otherFile}: loading it into shop.tills failed, and nothing of it landed: column "store" of relation "tills" does not exist (SQLSTATE 42703)`);
  });

  it('keeps an empty table\'s indexes when a load that set them aside rolls back', async () => {
    const content = 'receipt_id,store,currency,updated_at\n11,Nancy,EUR,2026-01-03T09:00:00Z\n';
    const first = await loadFile(db.current.adapter, tills, fileWith('day.csv', content));
    await query(db.current.adapter, 'truncate raw_shop.tills');
    // recorded with another size, as if the file had changed between the two reads: the repeat shows only after the COPY
    await query(db.current.adapter, `update warehouse_meta.loads set bytes = bytes + 1 where load_id = '${first.loadId}'`);
    // empty again, so the indexes are dropped for the COPY, then the repeat is refused and all of it undone
    expect((await failure(loadFile(db.current.adapter, tills, fileWith('day-again.csv', content)))).code).toBe(ErrorCode.loadRepeated);
    const indexes = await query<{ indexname: string }>(db.current.adapter, `select indexname from pg_indexes where schemaname = 'raw_shop' and tablename = 'tills' order by indexname`);
    expect(indexes.map((i) => i.indexname)).toEqual(['tills__loaded_at', 'tills__pk']);
  });

  it('builds the indexes it set aside with maintenance_work_mem raised for each build alone, without parallel workers beside other builds', async () => {
    await loadFile(db.current.adapter, tills, fileWith('first.csv', 'receipt_id,store,currency,updated_at\n1,Nancy,EUR,2026-01-03T09:00:00Z\n'));
    await query(db.current.adapter, 'truncate raw_shop.tills');
    // builds side by side (the pg adapter's pool) start no workers of their own; one at a
    // time (PGlite's one connection), a build keeps the server's setting
    const [server] = await query<{ workers: string }>(db.current.adapter, `select current_setting('max_parallel_maintenance_workers') as workers`);
    const workers = db.current.adapter.maxConnections > 1 ? '0' : server!.workers;
    // an index whose expression fails unless it is evaluated under the build's settings: the
    // table is empty now, so creating it evaluates nothing; the build after the load does
    await query(
      db.current.adapter,
      `create function raw_shop.memory_probe(id bigint) returns bigint immutable language plpgsql as $$
begin
  if current_setting('maintenance_work_mem') <> '300MB' then raise exception 'built with maintenance_work_mem %', current_setting('maintenance_work_mem'); end if;
  if current_setting('max_parallel_maintenance_workers') <> '${workers}' then raise exception 'built with max_parallel_maintenance_workers %', current_setting('max_parallel_maintenance_workers'); end if;
  return id;
end $$`,
    );
    await query(db.current.adapter, 'create index tills_probe on raw_shop.tills (raw_shop.memory_probe(receipt_id))');
    try {
      await loadFile(db.current.adapter, tills, fileWith('day.csv', 'receipt_id,store,currency,updated_at\n2,Metz,EUR,2026-01-03T09:00:00Z\n'), { indexBuildMemoryMb: 300 });
      const indexes = await query<{ indexname: string }>(db.current.adapter, `select indexname from pg_indexes where schemaname = 'raw_shop' and tablename = 'tills' order by indexname`);
      expect(indexes.map((i) => i.indexname)).toEqual(['tills__loaded_at', 'tills__pk', 'tills_probe']);
      // a value the server would refuse at the build fails the load before anything lands
      const refused = await failure(loadFile(db.current.adapter, tills, fileWith('later.csv', 'receipt_id,store,currency,updated_at\n3,Metz,EUR,2026-01-04T09:00:00Z\n'), { indexBuildMemoryMb: 3_000_000 }));
      expect(refused.code).toBe(ErrorCode.loadInvalid);
      expect(refused.message).toContain('the index build memory must be a whole number of MB from 1 to 2097151, not 3000000');
      // the sessions themselves keep their own setting
      const [setting] = await query<{ memory: string; workers: string }>(db.current.adapter, `select current_setting('maintenance_work_mem') as memory, current_setting('max_parallel_maintenance_workers') as workers`);
      expect(setting!.memory).not.toBe('300MB');
      expect(setting!.workers).toBe(server!.workers);
    } finally {
      await query(db.current.adapter, 'drop index if exists raw_shop.tills_probe');
      await query(db.current.adapter, 'drop function raw_shop.memory_probe');
    }
  });

  it('keeps the landed rows when an index cannot be built after the load, names it, and builds it again with the next load', async () => {
    const notes = defineSource({ ...tills, name: 'notes', columns: { ...tills.columns, note: { type: 'text' } }, indexes: [['note']] });
    await query(db.current.adapter, 'drop table if exists raw_shop.notes');
    // a value too large for a B-tree entry: COPY takes it, building the index refuses it
    const huge = createHash('sha512').update('x').digest('base64');
    const tooLarge = Array.from({ length: 80 }, (_, i) => createHash('sha512').update(`${huge}${i}`).digest('base64')).join('');
    const file = fileWith('notes.csv', `receipt_id,store,currency,updated_at,note\n1,Metz,EUR,2026-01-03T09:00:00Z,${tooLarge}\n2,Metz,EUR,2026-01-03T10:00:00Z,short\n`);
    const error = await failure(loadFile(db.current.adapter, notes, file));
    expect(error.code).toBe(ErrorCode.loadIndexFailed);
    expect(error.message).toContain(file);
    expect(error.message).toContain('2 row(s) landed in shop.notes');
    expect(error.message).toContain('notes__ix1');
    const [landed] = await query<{ n: string; loads: string }>(
      db.current.adapter,
      `select count(*)::text as n, (select count(*)::text from warehouse_meta.loads where source = 'shop.notes' and rows_loaded = 2) as loads from raw_shop.notes`,
    );
    expect(landed).toEqual({ n: '2', loads: '1' });
    const indexNames = async () => (await query<{ indexname: string }>(db.current.adapter, `select indexname from pg_indexes where schemaname = 'raw_shop' and tablename = 'notes' order by indexname`)).map((i) => i.indexname);
    // the other indexes were built; the one that failed is missing
    expect(await indexNames()).toEqual(['notes__loaded_at', 'notes__pk']);
    // while it is there, the next load cannot create the index either, and says which
    const again = await failure(loadFile(db.current.adapter, notes, fileWith('notes-again.csv', 'receipt_id,store,currency,updated_at,note\n4,Metz,EUR,2026-01-04T08:00:00Z,x\n')));
    expect(again.message).toContain('source shop.notes: cannot create its index notes__ix1 on raw_shop.notes (note)');
    // once the offending row is gone, the next load creates the missing index (truncated, not
    // deleted: a deleted row stays in the table, and in an index build, while an older snapshot may see it)
    await query(db.current.adapter, 'truncate raw_shop.notes');
    await loadFile(db.current.adapter, notes, fileWith('notes-next.csv', 'receipt_id,store,currency,updated_at,note\n3,Metz,EUR,2026-01-04T09:00:00Z,fine\n'));
    expect(await indexNames()).toEqual(['notes__ix1', 'notes__loaded_at', 'notes__pk']);
    await query(db.current.adapter, 'drop table raw_shop.notes');
  });

  it('lands nothing when more rows are malformed than --max-bad-rows allows', async () => {
    const file = fileWith('bad.csv', 'receipt_id,store,currency,updated_at\n1,A,EUR,2026-01-03T09:00:00Z\nx,B,EUR,2026-01-03T09:00:00Z\ny,C,EUR,2026-01-03T09:00:00Z\n');
    const error = await failure(loadFile(db.current.adapter, tills, file, { maxBadRows: 1 }));
    expect(error.code).toBe(ErrorCode.loadRejected);
    expect(error.message).toContain(`${file}: 2 malformed row(s), more than --max-bad-rows 1`);
    expect(error.message).toContain(`line 3: receipt_id: 'x' is not a valid bigint`);
    expect(await rows()).toEqual([]);
    const [history] = await query<{ n: string }>(db.current.adapter, `select count(*)::text as n from warehouse_meta.loads where file = '${file}'`);
    expect(history).toEqual({ n: '0' });
    // within the limit, the same file loads
    expect((await loadFile(db.current.adapter, tills, file, { maxBadRows: 2 })).rowsLoaded).toBe(1);
  });

  it('fails a file none of whose rows fit, unless a limit for bad rows was given', async () => {
    // rows separated by semicolons under a comma-separated header: every record has one field
    const file = fileWith('semicolons.csv', 'receipt_id,store,currency,updated_at\n1;A;EUR;2026-01-03T09:00:00Z\n2;B;EUR;2026-01-03T09:00:00Z\n');
    const error = await failure(loadFile(db.current.adapter, tills, file));
    expect(error.code).toBe(ErrorCode.loadRejected);
    expect(error.message).toContain(`${file}: none of its 2 row(s) fit`);
    expect(error.message).toContain('--max-bad-rows');
    expect(await rows()).toEqual([]);
    const loaded = await loadFile(db.current.adapter, tills, file, { maxBadRows: 10 });
    expect([loaded.rowsLoaded, loaded.rowsQuarantined]).toEqual([0, 2]);
  });

  it('names the file and the columns when the header does not fit the source', async () => {
    const file = fileWith('wrong.csv', 'receipt_id,shop,currency\n1,A,EUR\n');
    const error = await failure(loadFile(db.current.adapter, tills, file));
    expect(error.code).toBe(ErrorCode.loadInvalid);
    expect(error.message).toBe(
      `${file}: column "shop" is not a column of shop.tills; NOT NULL column(s) store, updated_at are missing (the columns of shop.tills: receipt_id, store, currency, amount, sold_on, updated_at, _loaded_at)`,
    );
  });

  it('names a header line it cannot read', async () => {
    const blank = fileWith('blank.csv', '\nreceipt_id,store,currency,updated_at\n1,A,EUR,2026-01-03T09:00:00Z\n');
    expect((await failure(loadFile(db.current.adapter, tills, blank))).message).toBe(`${blank}: line 1 is blank; a CSV needs a header line naming its columns (or --no-header)`);
    const latin = fileWith('latin.csv', Buffer.from('receipt_id,store,currency,updated_at,pr\xe9\n', 'latin1'));
    expect((await failure(loadFile(db.current.adapter, tills, latin))).message).toBe(`${latin}: the header line is not valid UTF-8`);
  });

  it('loads a tab-separated file without a header, in the declared column order', async () => {
    const file = fileWith('tills.tsv', '20\tRouen\tEUR\t3.10\t2026-01-04\t2026-01-04T08:00:00Z\n');
    const result = await loadFile(db.current.adapter, tills, file, { header: false });
    expect(result).toMatchObject({ method: 'copy', rowsLoaded: 1 });
    expect(await rows()).toEqual([{ receipt_id: '20', store: 'Rouen', currency: 'EUR', amount: '3.10' }]);
  });

  it('quarantines a value too long for its character column instead of cutting it', async () => {
    const file = fileWith(
      'long.ndjson',
      '{"receipt_id": 40, "store": "Albi", "currency": "EUR", "updated_at": "2026-01-06T08:00:00Z"}\n{"receipt_id": 41, "store": "Albi", "currency": "EURO", "updated_at": "2026-01-06T08:00:00Z"}\n{"receipt_id": 42, "store": "Albi", "currency": "EUR", "updated_at": "2026-01-06T08:00:00Z", "amount": "\\ud83d"}\n',
    );
    const result = await loadFile(db.current.adapter, tills, file);
    expect(result.rowsLoaded).toBe(1);
    expect(result.quarantined).toEqual([
      { line: 2, reason: `currency: 'EURO' is longer than 3 characters` },
      { line: 3, reason: 'has a \\u escape of half a UTF-16 surrogate pair, which Postgres cannot store' },
    ]);
  });

  it('lands a file whose only problems are records of the wrong shape without checking every value', async () => {
    const file = fileWith('shape.csv', 'receipt_id,store,currency,updated_at\n1,A,EUR,2026-01-03T09:00:00Z\n2,B\n3,C,EUR,2026-01-03T09:00:00Z\n');
    const result = await loadFile(db.current.adapter, tills, file);
    expect(result).toMatchObject({ method: 'checked', rowsLoaded: 2, rowsQuarantined: 1, quarantined: [{ line: 3, reason: 'has 2 field(s); 4 expected' }] });
  });

  it('loads NDJSON by field name, quarantining lines that are not objects of the source columns', async () => {
    const file = fileWith(
      'tills.ndjson',
      [
        '{"receipt_id": 30, "store": "Tours", "currency": "EUR", "amount": 4.5, "updated_at": "2026-01-05T08:00:00Z"}',
        '{"receipt_id": 31, "store": "Tours"', // 2: broken JSON
        '[1, 2]', // 3: not an object
        '{"receipt_id": 32, "store": "Tours", "currency": "EUR", "updated_at": "2026-01-05T08:00:00Z", "till": 4}', // 4: unknown field
        '{"receipt_id": "thirty-three", "store": "Tours", "currency": "EUR", "updated_at": "2026-01-05T08:00:00Z"}', // 5: bad bigint
        '',
        '{"receipt_id": 34, "store": "Tours", "currency": "EUR", "updated_at": "2026-01-05T09:00:00Z", "_loaded_at": "2026-01-05T10:00:00Z"}',
      ].join('\n'),
    );
    const result = await loadFile(db.current.adapter, tills, file);
    expect(result).toMatchObject({ format: 'ndjson', method: 'checked', rowsLoaded: 2, rowsQuarantined: 4 });
    expect(await rows()).toEqual([
      { receipt_id: '30', store: 'Tours', currency: 'EUR', amount: '4.50' },
      { receipt_id: '34', store: 'Tours', currency: 'EUR', amount: null },
    ]);
    const [loadedAt] = await query<{ given: boolean }>(db.current.adapter, `select _loaded_at = '2026-01-05T10:00:00Z' as given from raw_shop.tills where receipt_id = 34`);
    expect(loadedAt).toEqual({ given: true });
    expect(result.quarantined.map((q) => [q.line, q.reason.replace(/ \(.*\)$/, '')])).toEqual([
      [2, 'is not valid JSON'],
      [3, 'is not a JSON object'],
      [4, 'has field(s) till, which are not columns of shop.tills'],
      [5, `receipt_id: 'thirty-three' is not a valid bigint`],
    ]);
  });

  it('adds the record_bytes column to a quarantine table of an earlier version', async () => {
    await loadFile(db.current.adapter, tills, fileWith('first.csv', 'receipt_id,store,currency,updated_at\n60,Laval,EUR,2026-01-08T08:00:00Z\n'));
    await query(db.current.adapter, 'alter table warehouse_meta.quarantine drop column record_bytes');
    const bad = Buffer.from('61,Laval\xff,EUR,2026-01-08T08:00:00Z', 'latin1');
    const result = await loadFile(db.current.adapter, tills, fileWith('later.csv', Buffer.concat([Buffer.from('receipt_id,store,currency,updated_at\n'), bad, Buffer.from('\n62,Laval,EUR,2026-01-08T09:00:00Z\n')])));
    expect(result.quarantined).toEqual([{ line: 2, reason: 'is not valid UTF-8' }]);
    expect(await recordBytes(result.loadId)).toEqual([[2, bad.toString('hex')]]);
  });

  it('keeps the bytes of an NDJSON line that is not UTF-8 or holds a NUL, and lands a real U+FFFD', async () => {
    const good = (id: number, store: string) => `{"receipt_id": ${id}, "store": "${store}", "currency": "EUR", "updated_at": "2026-01-07T08:00:00Z"}`;
    const notUtf8 = Buffer.from(`${good(51, 'Caen\xe9')}`, 'latin1');
    const withNul = Buffer.from(`${good(52, 'Brest\0')}`, 'latin1');
    const file = fileWith(
      'bytes.ndjson',
      // a byte order mark first, lines ending in CRLF
      Buffer.concat([Buffer.from('\ufeff' + good(50, 'Sète \ufffd') + '\r\n'), notUtf8, Buffer.from('\r\n'), withNul, Buffer.from('\n')]),
    );
    const result = await loadFile(db.current.adapter, tills, file);
    expect(result).toMatchObject({ rowsLoaded: 1, rowsQuarantined: 2 });
    expect(result.quarantined).toEqual([
      { line: 2, reason: 'is not valid UTF-8' },
      { line: 3, reason: 'contains a NUL character, which Postgres cannot store in text' },
    ]);
    expect(await rows()).toEqual([{ receipt_id: '50', store: 'Sète \ufffd', currency: 'EUR', amount: null }]);
    expect(await recordBytes(result.loadId)).toEqual([
      [2, notUtf8.toString('hex')],
      [3, withNul.toString('hex')],
    ]);
    const [shown] = await query<{ record: string }>(db.current.adapter, `select record from warehouse_meta.quarantine where load_id = '${result.loadId}' and line = 3`);
    expect(shown?.record).toBe(good(52, 'Brest\u2400'));
  });
});

describe('loading a file larger than one COPY piece on pglite', () => {
  const db = useTestDatabase('pglite');

  it('cuts the file between records, never inside a quoted field', async () => {
    // about 21 MB: PGlite takes a COPY in Blobs of 16 MB, so this one lands in two
    const lines = ['id,note'];
    for (let i = 1; i <= 200_000; i++) lines.push(`${i},"line ${i}, with a comma, a ""quote""\nand a newline ${'x'.repeat(40)}"`);
    const file = fileWith('big.csv', `${lines.join('\n')}\n`);
    const big = defineSource({
      system: 'shop',
      name: 'big',
      description: 'Large.',
      columns: { id: { type: 'bigint', nullable: false }, note: { type: 'text' }, _loaded_at: { type: 'timestamptz', nullable: false } },
      primaryKey: ['id'],
      loadedAt: '_loaded_at',
    });
    const result = await loadFile(db.current.adapter, big, file);
    expect(result).toMatchObject({ method: 'copy', rowsLoaded: 200_000 });
    expect(result.bytes).toBeGreaterThan(16 * 1024 * 1024);
    const [check] = await query<{ n: string; intact: string }>(
      db.current.adapter,
      `select count(*)::text as n, count(*) filter (where note = format('line %s, with a comma, a "quote"' || chr(10) || 'and a newline %s', id, repeat('x', 40)))::text as intact from raw_shop.big`,
    );
    expect(check).toEqual({ n: '200000', intact: '200000' });
  });
});
