import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ErrorCode, WarehouseError } from '../../errors/warehouse-error.js';
import { TEXT_TYPE_OIDS, type Adapter, type CopyTarget, type CopyTransaction, type CsvFormat } from '../adapter.js';
import { copyCsvStatement } from '../copy-statement.js';
import { startupOptions } from '../startup-options.js';

export interface PgAdapterOptions {
  /** A libpq connection URL, e.g. `postgres://postgres@127.0.0.1:5432/warehouse`. */
  url: string;
  /** Pool size: the number of models that may build at once, plus one for bookkeeping. */
  maxConnections: number;
  applicationName?: string;
  /** Settings every connection starts with, e.g. `{ jit: 'off' }`. */
  sessionSettings?: Readonly<Record<string, string | number | boolean>>;
}

const textTypes = new Set<number>(Object.values(TEXT_TYPE_OIDS));
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    textTypes.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** PostgreSQL through a node-postgres pool. */
export function createPgAdapter(options: PgAdapterOptions): Adapter {
  const location = describeUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections,
    application_name: options.applicationName ?? 'warehouse',
    types,
    connectionTimeoutMillis: 10_000,
    // sent in the startup packet: no extra round trip per connection
    ...(options.sessionSettings ? { options: startupOptions(options.sessionSettings) } : {}),
  });
  // A client that loses its server emits 'error' (on the pool when idle, on the client when in
  // use); without listeners the process would crash. The failure still reaches the caller
  // through the query's rejected promise, and pg-pool drops the dead client on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });

  const connectionError = (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    return new WarehouseError(ErrorCode.connectionFailed, `cannot connect to PostgreSQL at ${location}: ${reason}`, { cause: error });
  };

  return {
    type: 'pg',
    location,
    maxConnections: options.maxConnections,
    withConnection: (work) => db.connection().execute(work),
    async copyCsv(target: CopyTarget, chunks) {
      const client = await pool.connect();
      try {
        return await copyOn(client, target, chunks);
      } finally {
        client.release();
      }
    },
    async withCopyTransaction(work) {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('begin');
        const transaction: CopyTransaction = {
          async query<R>(statement: string) {
            const result = await client.query(statement);
            return { rows: result.rows as R[], rowCount: Number(result.rowCount ?? 0) };
          },
          copyCsv: (target, chunks, format) => copyOn(client, target, chunks, format),
        };
        const result = await work(transaction);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        // a connection that could not roll back is not given back to the pool
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        if (isConnectionError(error)) throw connectionError(error);
        throw error;
      }
    },
    close: () => db.destroy(),
  };
}

/** COPY FROM STDIN on one client, the chunks streamed to it; returns the rows copied. */
async function copyOn(client: pg.PoolClient, target: CopyTarget, chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, format?: CsvFormat): Promise<number> {
  const stream = client.query(copyFrom(copyCsvStatement(target, 'stdin', format)));
  await pipeline(Readable.from(chunks), stream);
  return Number(stream.rowCount ?? 0);
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return (
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)$/.test(code) ||
    code === '3D000' || // database does not exist
    code === '28P01' || // wrong password
    code === '28000' || // no such role / not allowed
    /timeout expired|Connection terminated/i.test((error as Error)?.message ?? '')
  );
}

/** `postgres://user@host:port/db`, without the password, for messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    const port = parsed.port || '5432';
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `postgres://${user}${host}:${port}${parsed.pathname}`;
  } catch {
    return 'postgres (unparseable DATABASE_URL)';
  }
}
