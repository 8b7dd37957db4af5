import { sql, type Kysely } from 'kysely';
import { buildGraph, defineModel, execute, plan, select, type Adapter, type AnyModel, type ExecuteOptions, type RunResult, type WarehousePackage } from '../../src/index.js';

/** Assemble, select, plan and execute, as the runner does. */
export async function build(
  adapter: Adapter,
  packages: WarehousePackage[],
  options: { select?: string[]; threads?: number; schemaPrefix?: string; fullRefresh?: boolean } & Partial<ExecuteOptions> = {},
): Promise<RunResult> {
  const graph = buildGraph(packages);
  const selected = select(graph, { select: options.select ?? [] });
  const built = plan(graph, selected, { targetName: 'test', schemaPrefix: options.schemaPrefix ?? '', fullRefresh: options.fullRefresh ?? false });
  return execute(built, adapter, { ...options, threads: options.threads ?? 1 });
}

export const statusOf = (result: RunResult) => Object.fromEntries(result.results.map((r) => [r.name, r.status]));

export async function query<T = Record<string, unknown>>(adapter: Adapter, text: string): Promise<T[]> {
  return adapter.withConnection(async (db: Kysely<any>) => (await sql.raw<T>(text).execute(db)).rows);
}

/** Relations whose names show a swap left them behind. */
export async function leftovers(adapter: Adapter): Promise<string[]> {
  const rows = await query<{ name: string }>(
    adapter,
    `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relname like '%\\_\\_wh\\_%' and n.nspname not like 'pg_temp%' order by 1`,
  );
  return rows.map((r) => r.name);
}

/** A copy of a model with some settings changed (typed loosely: tests change contracts freely). */
export function redefine(model: AnyModel, overrides: Record<string, unknown>): AnyModel {
  return defineModel({ ...model, ...overrides } as never);
}
