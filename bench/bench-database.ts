import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { mustSucceed, timed, type ProcessRun } from './measure.js';

export const ROOT = join(import.meta.dirname, '..');
const WAREHOUSE_BIN = join(ROOT, 'apps/runner/bin/warehouse.js');

export interface Database {
  url: string;
  drop(): Promise<void>;
}

/** Drops of the databases created and not yet dropped: run on Ctrl-C or SIGTERM too, so an interrupted bench leaves none behind. */
const undropped = new Set<() => Promise<void>>();
let dropsOnInterrupt = false;

function dropOnInterrupt(): void {
  if (dropsOnInterrupt) return;
  dropsOnInterrupt = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      process.stderr.write(`[bench] ${signal}: dropping the bench's ${undropped.size} database(s)\n`);
      // with (force) ends the sessions of a warehouse process still running in one
      void Promise.allSettled([...undropped].map((drop) => drop())).then(() => process.exit(code));
    });
  }
}

export async function createDatabase(serverUrl: string): Promise<Database> {
  const name = `wh_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    undropped.delete(drop);
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.end();
  };
  dropOnInterrupt();
  undropped.add(drop);
  return { url: url.toString(), drop };
}

/** The `warehouse` CLI against a database, from the repository (the real warehouse project). */
export const warehouse = (database: Database, args: string[]): Promise<ProcessRun> =>
  mustSucceed(timed(process.execPath, [WAREHOUSE_BIN, ...args, '--json'], { cwd: ROOT, env: { DATABASE_URL: database.url, WAREHOUSE_TARGET: 'dev' } }), `warehouse ${args.join(' ')}`);

