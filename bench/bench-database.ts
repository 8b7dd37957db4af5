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

export async function createDatabase(serverUrl: string): Promise<Database> {
  const name = `wh_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists "${name}" with (force)`);
      await client.end();
    },
  };
}

/** The `warehouse` CLI against a database, from the repository (the real warehouse project). */
export const warehouse = (database: Database, args: string[]): Promise<ProcessRun> =>
  mustSucceed(timed(process.execPath, [WAREHOUSE_BIN, ...args, '--json'], { cwd: ROOT, env: { DATABASE_URL: database.url, WAREHOUSE_TARGET: 'dev' } }), `warehouse ${args.join(' ')}`);

