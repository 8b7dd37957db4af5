import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { TEXT_TYPE_OIDS, type Adapter, type CopyTarget, type CopyTransaction, type CsvFormat } from '../adapter.js';
import { copyCsvStatement } from '../copy-statement.js';
import { Mutex } from '../../util/mutex.js';

export interface PgliteAdapterOptions {
  /** Folder of the database files, or `memory://` for a throw-away database. */
  dataDir: string;
}

const identity = (value: string) => value;
const parsers = Object.fromEntries(Object.values(TEXT_TYPE_OIDS).map((oid) => [oid, identity]));

/** COPY feeds PGlite a Blob, which it holds in memory whole: send large loads in pieces. */
const COPY_CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Embedded PostgreSQL (WASM) in this process: zero setup, one connection. Every query goes
 * through one queue, so a transaction never interleaves with another query.
 */
export async function createPgliteAdapter(options: PgliteAdapterOptions): Promise<Adapter> {
  const inMemory = options.dataDir.startsWith('memory://');
  const dataDir = inMemory ? options.dataDir : resolve(options.dataDir);
  if (!inMemory) mkdirSync(dirname(dataDir), { recursive: true });
  const pglite = await PGlite.create(dataDir, { parsers, relaxedDurability: false });
  const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite }) });
  const queue = new Mutex();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => queue.run(work);

  /** COPY from Blobs of at most about COPY_CHUNK_BYTES, cut between chunks (each holds whole records). */
  const copyInPieces = async (target: CopyTarget, chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, format?: CsvFormat) => {
    const statement = copyCsvStatement(target, '/dev/blob', format);
    let loaded = 0;
    let pending: Array<Uint8Array | string> = [];
    let size = 0;
    const flush = async () => {
      if (size === 0) return;
      const result = await pglite.query(statement, [], { blob: new Blob(pending as ConstructorParameters<typeof Blob>[0]) });
      loaded += result.affectedRows ?? 0;
      pending = [];
      size = 0;
    };
    for await (const chunk of chunks) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= COPY_CHUNK_BYTES) await flush();
    }
    await flush();
    return loaded;
  };

  return {
    type: 'pglite',
    location: inMemory ? 'pglite (in memory)' : `pglite at ${dataDir}`,
    maxConnections: 1,
    withConnection: (work) => exclusive(() => work(db)),
    copyCsv: (target, chunks) => exclusive(() => copyInPieces(target, chunks)),
    withCopyTransaction: (work) =>
      exclusive(async () => {
        const transaction: CopyTransaction = {
          async query<R>(statement: string) {
            const result = await pglite.query<R>(statement);
            return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
          },
          copyCsv: copyInPieces,
        };
        await pglite.query('begin');
        try {
          const result = await work(transaction);
          await pglite.query('commit');
          return result;
        } catch (error) {
          await pglite.query('rollback');
          throw error;
        }
      }),
    ping: async () => {
      await pglite.query('select 1');
    },
    close: () => queue.run(() => db.destroy()),
  };
}
