import { randomUUID } from 'node:crypto';
import type { Adapter } from '../adapter/adapter.js';
import { databaseErrorOf, describeDatabaseError, isTransientDatabaseError } from '../adapter/database-error.js';
import { createSchema, type RelationName } from '../compile/ddl.js';
import { isWarehouseError } from '../errors/warehouse-error.js';
import type { RunEventListener } from '../events/run-events.js';
import { materializeIncremental } from './materialize/materialize-incremental.js';
import { materializeSnapshot } from './materialize/materialize-snapshot.js';
import { materializeTable } from './materialize/materialize-table.js';
import { materializeView } from './materialize/materialize-view.js';
import { runStatement, type Materialization, type MaterializeResult } from './materialize/materialize-context.js';
import { swapRelation } from './materialize/swap-relation.js';
import { Mutex } from '../util/mutex.js';
import type { ExecutionPlan, PlannedNode } from './plan.js';
import type { NodeError, NodeResult, RunResult } from './run-result.js';

export interface ExecuteOptions {
  /** How many models may build at once; capped by the adapter's connections. */
  threads: number;
  runId?: string;
  onEvent?: RunEventListener;
  /** Stops starting new models; running ones finish, the rest are reported as skipped. */
  signal?: AbortSignal;
  /** How long a swap waits for readers' locks before backing off (default 10 s). */
  swapLockTimeoutMs?: number;
  /** Swap attempts before giving up on lock timeouts and deadlocks (default 5). */
  swapAttempts?: number;
  /** Times a model is re-run after a transient error such as a dropped connection (default 0). */
  retries?: number;
}

const materializations: Record<string, Materialization> = {
  table: materializeTable,
  view: materializeView,
  incremental: materializeIncremental,
  snapshot: materializeSnapshot,
};

/**
 * Builds the plan's models in dependency order, `threads` at a time, each in its own
 * transaction. A failed model skips only its descendants. Never throws for a model's
 * failure: every node gets a result (success, error or skipped).
 */
export async function execute(plan: ExecutionPlan, adapter: Adapter, options: ExecuteOptions): Promise<RunResult> {
  const runId = options.runId ?? randomUUID();
  const threads = Math.max(1, Math.min(options.threads, adapter.maxConnections));
  const emit: RunEventListener = options.onEvent ?? (() => {});
  const started = new Date();
  const total = plan.nodes.length;
  emit({ type: 'run-started', runId, target: plan.target, nodes: total, threads, location: adapter.location });

  const results = new Map<string, NodeResult>();
  const swapMutex = new Mutex();
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const rank = new Map(plan.nodes.map((n, i) => [n.id, i]));
  const children = new Map<string, string[]>();
  const waitingOn = new Map<string, number>();
  for (const node of plan.nodes) {
    waitingOn.set(node.id, node.dependsOn.length);
    for (const dep of node.dependsOn) children.set(dep, [...(children.get(dep) ?? []), node.id]);
  }

  const schemas = [...new Set(plan.nodes.map((n) => n.schema))].sort();
  const schemaFailure = await adapter
    .withConnection(async (connection) => {
      for (const schema of schemas) await runStatement(connection, plan.nodes.find((n) => n.schema === schema)!, createSchema(schema), undefined);
    })
    .then(
      () => undefined,
      (error: unknown) => error,
    );

  let finishedCount = 0;
  const finish = (result: NodeResult) => {
    results.set(result.id, result);
    finishedCount++;
    emit({ type: 'node-finished', result, index: finishedCount, total });
  };

  const skipDescendants = (failed: PlannedNode) => {
    const stack = [...(children.get(failed.id) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (results.has(id)) continue;
      const node = byId.get(id)!;
      finish({ id, name: node.name, status: 'skipped', durationMs: 0, message: `skipped because ${failed.name} failed`, skippedBecause: failed.name });
      stack.push(...(children.get(id) ?? []));
    }
  };

  const buildNode = async (node: PlannedNode): Promise<NodeResult> => {
    const startedAt = new Date();
    emit({ type: 'node-started', id: node.id, name: node.name, index: finishedCount + 1, total });
    let retries = 0;
    for (;;) {
      try {
        const outcome = await buildInTransaction(node, adapter, plan.fullRefresh, {
          emit,
          swapMutex,
          lockTimeoutMs: options.swapLockTimeoutMs ?? 10_000,
          attempts: options.swapAttempts ?? 5,
        });
        const finishedAt = new Date();
        return {
          id: node.id,
          name: node.name,
          status: 'success',
          startedAt: startedAt.toISOString(),
          finishedAt: finishedAt.toISOString(),
          durationMs: finishedAt.getTime() - startedAt.getTime(),
          ...(outcome.rowsAffected === undefined ? {} : { rowsAffected: outcome.rowsAffected }),
          message: `built ${node.model.materialized}${outcome.summary ? `: ${outcome.summary}` : outcome.rowsAffected === undefined ? '' : `, ${outcome.rowsAffected} rows`}`,
          ...(retries > 0 ? { retries } : {}),
        };
      } catch (error) {
        if (retries < (options.retries ?? 0) && isTransientDatabaseError(error) && !options.signal?.aborted) {
          retries++;
          emit({ type: 'retry', id: node.id, attempt: retries, reason: describeDatabaseError(error) });
          continue;
        }
        const finishedAt = new Date();
        const nodeError = toNodeError(error, node);
        return {
          id: node.id,
          name: node.name,
          status: 'error',
          startedAt: startedAt.toISOString(),
          finishedAt: finishedAt.toISOString(),
          durationMs: finishedAt.getTime() - startedAt.getTime(),
          message: nodeError.message,
          error: nodeError,
          ...(retries > 0 ? { retries } : {}),
        };
      }
    }
  };

  if (schemaFailure !== undefined) {
    for (const node of plan.nodes) finish({ id: node.id, name: node.name, status: 'error', durationMs: 0, message: describeDatabaseError(schemaFailure), error: toNodeError(schemaFailure, node) });
  } else {
    await new Promise<void>((resolve) => {
      const ready = plan.nodes.filter((n) => n.dependsOn.length === 0);
      let running = 0;
      const pump = () => {
        while (running < threads && ready.length > 0 && !options.signal?.aborted) {
          const node = ready.shift()!;
          if (results.has(node.id)) continue;
          running++;
          void buildNode(node).then((result) => {
            running--;
            finish(result);
            if (result.status === 'error') skipDescendants(node);
            else {
              for (const child of children.get(node.id) ?? []) {
                const left = waitingOn.get(child)! - 1;
                waitingOn.set(child, left);
                if (left === 0 && !results.has(child)) insertInPlanOrder(ready, byId.get(child)!, rank);
              }
            }
            pump();
          });
        }
        if (running === 0 && (ready.length === 0 || options.signal?.aborted)) resolve();
      };
      pump();
    });
  }

  const cancelled = options.signal?.aborted === true && results.size < total;
  for (const node of plan.nodes) {
    if (!results.has(node.id)) finish({ id: node.id, name: node.name, status: 'skipped', durationMs: 0, message: 'skipped: the run was stopped before it started' });
  }
  const finishedAt = new Date();
  const result: RunResult = {
    runId,
    target: plan.target,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - started.getTime(),
    threads,
    results: plan.nodes.map((n) => results.get(n.id)!),
    cancelled,
  };
  emit({ type: 'run-finished', result });
  return result;
}

interface BuildSettings {
  emit: RunEventListener;
  swapMutex: Mutex;
  lockTimeoutMs: number;
  attempts: number;
}

/** One model, one transaction: a failure anywhere rolls everything back. */
function buildInTransaction(node: PlannedNode, adapter: Adapter, fullRefresh: boolean, settings: BuildSettings): Promise<MaterializeResult> {
  const materialize = materializations[node.model.materialized];
  if (!materialize) throw new Error(`no materialization ${node.model.materialized}`);
  const relation: RelationName = { schema: node.schema, name: node.name };
  return adapter.withConnection((connection) =>
    connection.transaction().execute((transaction) =>
      materialize({
        transaction,
        node,
        relation,
        fullRefresh,
        run: (statement, embedded) => {
          settings.emit({ type: 'query', id: node.id, sql: statement });
          return runStatement(transaction, node, statement, embedded);
        },
        swap: (target, kind) =>
          settings.swapMutex.run(() =>
            swapRelation(transaction, target, kind, {
              lockTimeoutMs: settings.lockTimeoutMs,
              attempts: settings.attempts,
              onStatement: (statement) => settings.emit({ type: 'query', id: node.id, sql: statement }),
              onRetry: (attempt, reason) => settings.emit({ type: 'retry', id: node.id, attempt, reason }),
            }),
          ),
      }),
    ),
  );
}

function insertInPlanOrder(ready: PlannedNode[], node: PlannedNode, rank: ReadonlyMap<string, number>): void {
  const at = ready.findIndex((r) => rank.get(r.id)! > rank.get(node.id)!);
  if (at < 0) ready.push(node);
  else ready.splice(at, 0, node);
}

function toNodeError(error: unknown, node: PlannedNode): NodeError {
  const db = databaseErrorOf(error);
  const base: NodeError = {
    code: isWarehouseError(error) ? error.code : db ? 'SQL_FAILED' : 'INTERNAL',
    message: isWarehouseError(error) ? error.message : `model ${node.name} failed: ${describeDatabaseError(error)}`,
    compiledPath: node.compiledPath,
  };
  if (db?.code) base.sqlState = db.code;
  if (db?.detail) base.detail = db.detail;
  if (db?.hint) base.hint = db.hint;
  if (isWarehouseError(error)) {
    if (typeof error.details.line === 'number') base.line = error.details.line;
    if (typeof error.details.column === 'number') base.column = error.details.column;
    if (typeof error.details.path === 'string') base.compiledPath = error.details.path;
  }
  return base;
}
