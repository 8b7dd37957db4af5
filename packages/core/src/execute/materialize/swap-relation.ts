import { sql, type Kysely } from 'kysely';
import {
  dropRelation,
  lockExclusive,
  renameRelation,
  replaceView,
  retired,
  staged,
  type RelationKind,
  type RelationName,
} from '../../compile/ddl.js';
import { sqlText } from '../../compile/sql-text.js';
import { isTransientDatabaseError } from '../../adapter/database-error.js';
import { ErrorCode, WarehouseError } from '../../errors/warehouse-error.js';
import { relationKind } from './relation-columns.js';

export interface SwapOptions {
  /** How long the swap may wait for readers' locks before it backs off and tries again. */
  lockTimeoutMs: number;
  /** How many times a swap that timed out on a lock (or deadlocked) is tried again. */
  attempts: number;
  onStatement: (sql: string) => void;
  onRetry?: (attempt: number, reason: string) => void;
}

interface DependentView {
  schema: string;
  name: string;
  kind: string;
  definition: string;
  options: string[] | null;
}

/**
 * Replaces `relation` with its staged copy (`<name>__wh_new`) inside the caller's transaction:
 * the old relation is renamed away, the staged one takes its name, every view that read the
 * old relation is re-created from its own definition so it reads the new one, and the old
 * relation is dropped without CASCADE. Readers see the old relation or the new one, never
 * neither; if any step fails the transaction rolls back and the old relation stays.
 *
 * The swap takes an exclusive lock on the relation, so it waits at most `lockTimeoutMs` for
 * running readers (queued readers would otherwise wait behind it), then retries.
 */
export async function swapRelation(
  transaction: Kysely<any>,
  relation: RelationName,
  kind: RelationKind,
  options: SwapOptions,
): Promise<void> {
  const run = async (statement: string) => {
    options.onStatement(statement);
    await sql.raw(statement).execute(transaction);
  };
  await run('savepoint wh_swap');
  for (let attempt = 1; ; attempt++) {
    try {
      await run(`set local lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs))}`);
      // Qualify every name pg_get_viewdef prints, so re-created views mean the same relations.
      await run('set local search_path = pg_catalog, pg_temp');
      await swapOnce(transaction, relation, kind, run);
      await run('release savepoint wh_swap');
      return;
    } catch (error) {
      if (!isTransientDatabaseError(error) || attempt >= options.attempts) throw error;
      await run('rollback to savepoint wh_swap');
      const reason = error instanceof Error ? error.message : String(error);
      options.onRetry?.(attempt, reason);
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 5_000)));
    }
  }
}

async function swapOnce(
  transaction: Kysely<any>,
  relation: RelationName,
  kind: RelationKind,
  run: (statement: string) => Promise<void>,
): Promise<void> {
  const existing = await relationKind(transaction, relation);
  if (existing === 'other') {
    throw new WarehouseError(
      ErrorCode.dependentObject,
      `${relation.schema}.${relation.name} exists but is neither a table nor a view; drop it before building the model`,
    );
  }
  const dependents = existing ? await dependentViews(transaction, relation) : [];
  const blocking = dependents.filter((d) => d.kind !== 'v');
  if (blocking.length > 0) {
    const names = blocking.map((d) => `${d.schema}.${d.name}`).join(', ');
    throw new WarehouseError(
      ErrorCode.dependentObject,
      `cannot replace ${relation.schema}.${relation.name}: materialized view(s) ${names} read it; drop them or turn them into models`,
    );
  }
  // Readers of a view lock the view, then the relations under it. Taking the locks in that
  // same order (views first) keeps a swap from deadlocking with them.
  if (existing) await run(lockExclusive([...dependents, relation]));
  if (existing) await run(renameRelation(relation, existing, retired(relation).name));
  await run(renameRelation(staged(relation), kind, relation.name));
  for (const view of dependents) {
    try {
      await run(replaceView(view, view.definition, view.options));
    } catch (error) {
      if (isTransientDatabaseError(error)) throw error;
      throw new WarehouseError(
        ErrorCode.dependentObject,
        `cannot replace ${relation.schema}.${relation.name}: view ${view.schema}.${view.name} reads it and no longer fits the new version ` +
          `(${error instanceof Error ? error.message : String(error)}); change or drop that view, then build again`,
        { cause: error },
      );
    }
  }
  if (existing) await run(dropRelation(retired(relation), existing));
}

/** Views whose query reads the relation directly (views of those views keep working on their own). */
async function dependentViews(transaction: Kysely<any>, relation: RelationName): Promise<DependentView[]> {
  const qualified = sqlText(sql`${sql.id(relation.schema, relation.name)}`);
  const { rows } = await sql<DependentView>`
    select distinct n.nspname as schema, v.relname as name, v.relkind as kind,
      pg_get_viewdef(v.oid) as definition, v.reloptions as options
    from pg_depend d
    join pg_rewrite r on r.oid = d.objid
    join pg_class v on v.oid = r.ev_class
    join pg_namespace n on n.oid = v.relnamespace
    where d.classid = 'pg_rewrite'::regclass
      and d.refclassid = 'pg_class'::regclass
      and d.refobjid = ${qualified}::regclass
      and v.oid <> d.refobjid
    order by 1, 2`.execute(transaction);
  return rows;
}
