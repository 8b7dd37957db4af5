import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import { databaseErrorOf, describeDatabaseError, isTransientDatabaseError } from '../adapter/database-error.js';
import { setupAccess } from '../access/domain-roles.js';
import { createSchema, type RelationName } from '../compile/ddl.js';
import { isWarehouseError } from '../errors/warehouse-error.js';
import type { RunEventListener } from '../events/run-events.js';
import { topologicalOrder } from '../graph/topological-order.js';
import { Mutex } from '../util/mutex.js';
import { materializeIncremental } from './materialize/materialize-incremental.js';
import { runStatement, type Materialization, type MaterializeResult } from './materialize/materialize-context.js';
import { materializeSnapshot } from './materialize/materialize-snapshot.js';
import { materializeTable } from './materialize/materialize-table.js';
import { materializeView } from './materialize/materialize-view.js';
import { swapRelation } from './materialize/swap-relation.js';
import type { ExecutionPlan, PlannedNode, PlannedTest } from './plan.js';
import type { NodeError, NodeResult, RunResult } from './run-result.js';
import { runTest } from './run-test.js';

export interface ExecuteOptions {
  /** How many models (and tests) may run at once; capped by the adapter's connections. */
  threads: number;
  runId?: string;
  onEvent?: RunEventListener;
  /** Stops starting new nodes; running ones finish, the rest are reported as skipped. */
  signal?: AbortSignal;
  /** How long a swap waits for readers' locks before backing off (default 10 s). */
  swapLockTimeoutMs?: number;
  /** Swap attempts before giving up on lock timeouts and deadlocks (default 5). */
  swapAttempts?: number;
  /** Times a model is re-run after a transient error such as a dropped connection (default 0). */
  retries?: number;
  /** Keep every failing test's rows in the audit schema (tests can also ask for it themselves). */
  storeFailures?: boolean;
  /**
   * Tests that may check only the rows an incremental run of their model wrote (see
   * `testScopesFromHistory`); every other test checks the whole table.
   */
  changedRowsTests?: ReadonlySet<string>;
  /**
   * Tests on sources that may check only the rows landed after a landed-at value: the newest
   * their last passing run saw (see `testScopesFromHistory`).
   */
  landedAfter?: ReadonlyMap<string, string>;
}

const materializations: Record<string, Materialization> = {
  table: materializeTable,
  view: materializeView,
  incremental: materializeIncremental,
  snapshot: materializeSnapshot,
};

type Step = { kind: 'model'; id: string; name: string; dependsOn: string[]; node: PlannedNode } | { kind: 'test'; id: string; name: string; dependsOn: string[]; test: PlannedTest };

/**
 * Runs the plan: models in dependency order, `threads` at a time, each in its own transaction,
 * and each data test once what it tests is built. A failed model, or a failed error-severity
 * test, skips only the descendants. Never throws for a node's failure: every node gets a
 * result (success, warn, error or skipped).
 */
export async function execute(plan: ExecutionPlan, adapter: Adapter, options: ExecuteOptions): Promise<RunResult> {
  const runId = options.runId ?? randomUUID();
  const threads = Math.max(1, Math.min(options.threads, adapter.maxConnections));
  const emit: RunEventListener = options.onEvent ?? (() => {});
  const started = new Date();
  const unordered: Step[] = [
    ...plan.nodes.map((node): Step => ({ kind: 'model', id: node.id, name: node.name, dependsOn: node.dependsOn, node })),
    ...plan.tests.map((test): Step => ({ kind: 'test', id: test.id, name: test.name, dependsOn: test.dependsOn, test })),
  ];
  const byId = new Map(unordered.map((s) => [s.id, s]));
  const steps = topologicalOrder(byId.keys(), (id) => byId.get(id)!.dependsOn).map((id) => byId.get(id)!);
  const total = steps.length;
  emit({ type: 'run-started', runId, target: plan.target, nodes: total, threads, location: adapter.location });

  const results = new Map<string, NodeResult>();
  // models whose incremental run left the rows it wrote for their tests
  const changedModels = new Set<string>();
  const swapMutex = new Mutex();
  const rank = new Map(steps.map((s, i) => [s.id, i]));
  const children = new Map<string, string[]>();
  const waitingOn = new Map<string, number>();
  for (const step of steps) {
    const deps = step.dependsOn.filter((d) => byId.has(d));
    waitingOn.set(step.id, deps.length);
    for (const dep of deps) children.set(dep, [...(children.get(dep) ?? []), step.id]);
  }

  let started_ = 0;
  let finishedCount = 0;
  const finish = (result: NodeResult) => {
    results.set(result.id, result);
    finishedCount++;
    emit({ type: 'node-finished', result, index: finishedCount, total });
  };

  const skipDescendants = (failed: Step) => {
    const stack = [...(children.get(failed.id) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (results.has(id)) continue;
      const step = byId.get(id)!;
      const what = failed.kind === 'test' ? `test ${failed.name}` : failed.name;
      finish({ id, name: step.name, resourceType: step.kind, status: 'skipped', durationMs: 0, message: `skipped because ${what} failed`, skippedBecause: failed.name });
      stack.push(...(children.get(id) ?? []));
    }
  };

  const runStep = async (step: Step): Promise<NodeResult> => {
    const startedAt = new Date();
    emit({ type: 'node-started', id: step.id, name: step.name, index: ++started_, total });
    const timing = () => {
      const finishedAt = new Date();
      return { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime() };
    };
    let retries = 0;
    for (;;) {
      try {
        if (step.kind === 'test') {
          const scoped =
            step.test.changedRowsSql !== undefined && changedModels.has(step.test.test.attachedTo) && (options.changedRowsTests?.has(step.id) ?? false);
          const outcome = await adapter.withConnection((connection) =>
            connection.transaction().execute((transaction) =>
              runTest(transaction, step.test, {
                changedRowsOnly: scoped,
                ...(options.landedAfter?.has(step.id) ? { landedAfter: options.landedAfter.get(step.id)! } : {}),
                storeFailures: options.storeFailures ?? false,
                auditSchema: plan.auditSchema,
                onStatement: (statement) => emit({ type: 'query', id: step.id, sql: statement }),
              }),
            ),
          );
          return {
            id: step.id,
            name: step.name,
            resourceType: 'test',
            status: outcome.status,
            ...timing(),
            message: outcome.message,
            failures: outcome.failures,
            testedRows: outcome.testedRows,
            ...(outcome.checkedThrough !== undefined ? { checkedThrough: outcome.checkedThrough } : {}),
            ...(outcome.failuresRelation ? { failuresRelation: outcome.failuresRelation } : {}),
            ...(outcome.status === 'error' ? { error: { code: 'TEST_FAILED', message: outcome.message, compiledPath: step.test.compiledPath } } : {}),
          };
        }
        const node = step.node;
        const outcome = await buildInTransaction(node, adapter, plan.fullRefresh, {
          emit,
          swapMutex,
          lockTimeoutMs: options.swapLockTimeoutMs ?? 10_000,
          attempts: options.swapAttempts ?? 5,
        });
        if (outcome.changedRows) changedModels.add(node.id);
        return {
          id: node.id,
          name: node.name,
          resourceType: 'model',
          status: 'success',
          ...timing(),
          ...(outcome.rowsAffected === undefined ? {} : { rowsAffected: outcome.rowsAffected }),
          message: `built ${node.model.materialized}${outcome.summary ? `: ${outcome.summary}` : outcome.rowsAffected === undefined ? '' : `, ${outcome.rowsAffected} rows`}`,
          ...(retries > 0 ? { retries } : {}),
        };
      } catch (error) {
        if (retries < (options.retries ?? 0) && isTransientDatabaseError(error) && !options.signal?.aborted) {
          retries++;
          emit({ type: 'retry', id: step.id, attempt: retries, reason: describeDatabaseError(error) });
          continue;
        }
        const nodeError = toNodeError(error, step);
        return {
          id: step.id,
          name: step.name,
          resourceType: step.kind,
          status: 'error',
          ...timing(),
          message: nodeError.message,
          error: nodeError,
          ...(retries > 0 ? { retries } : {}),
        };
      }
    }
  };

  // Schemas are created up front, once: concurrent CREATE SCHEMA IF NOT EXISTS can collide.
  const storing = plan.tests.some((t) => options.storeFailures || t.test.options.storeFailures);
  const changing = plan.nodes.some((n) => n.changedRows !== undefined) && !plan.fullRefresh;
  const schemas = [...new Set([...plan.nodes.map((n) => n.schema), ...(storing ? [plan.auditSchema] : []), ...(changing ? [plan.changesSchema] : [])])].sort();
  const schemaFailure = await adapter
    .withConnection(async (connection) => {
      for (const schema of schemas) await sql.raw(createSchema(schema)).execute(connection);
      if (plan.access) await setupAccess(connection, plan.access);
    })
    .then(
      () => undefined,
      (error: unknown) => error,
    );

  if (schemaFailure !== undefined) {
    for (const step of steps) {
      finish({ id: step.id, name: step.name, resourceType: step.kind, status: 'error', durationMs: 0, message: describeDatabaseError(schemaFailure), error: toNodeError(schemaFailure, step) });
    }
  } else {
    await new Promise<void>((resolve) => {
      const ready = steps.filter((s) => waitingOn.get(s.id) === 0);
      let running = 0;
      const pump = () => {
        while (running < threads && ready.length > 0 && !options.signal?.aborted) {
          const step = ready.shift()!;
          if (results.has(step.id)) continue;
          running++;
          void runStep(step).then((result) => {
            running--;
            finish(result);
            if (result.status === 'error') skipDescendants(step);
            else {
              for (const child of children.get(step.id) ?? []) {
                const left = waitingOn.get(child)! - 1;
                waitingOn.set(child, left);
                if (left === 0 && !results.has(child)) insertByRank(ready, byId.get(child)!, rank);
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
  for (const step of steps) {
    if (!results.has(step.id)) {
      finish({ id: step.id, name: step.name, resourceType: step.kind, status: 'skipped', durationMs: 0, message: 'skipped: the run was stopped before it started' });
    }
  }
  const finishedAt = new Date();
  const result: RunResult = {
    runId,
    target: plan.target,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - started.getTime(),
    threads,
    results: steps.map((s) => results.get(s.id)!),
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

function insertByRank(ready: Step[], step: Step, rank: ReadonlyMap<string, number>): void {
  const at = ready.findIndex((r) => rank.get(r.id)! > rank.get(step.id)!);
  if (at < 0) ready.push(step);
  else ready.splice(at, 0, step);
}

function toNodeError(error: unknown, step: Step): NodeError {
  const db = databaseErrorOf(error);
  const compiledPath = step.kind === 'model' ? step.node.compiledPath : step.test.compiledPath;
  const base: NodeError = {
    code: isWarehouseError(error) ? error.code : db ? 'SQL_FAILED' : 'INTERNAL',
    message: isWarehouseError(error) ? error.message : `${step.kind} ${step.name} failed: ${describeDatabaseError(error)}`,
    compiledPath,
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
