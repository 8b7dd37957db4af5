/** How one node of a run ended. */
export type NodeStatus = 'success' | 'error' | 'skipped' | 'warn';

/** What went wrong, with enough to find the cause without re-running. */
export interface NodeError {
  /** A WarehouseError code, or SQL_FAILED for a server error. */
  code: string;
  message: string;
  /** SQLSTATE of a server error. */
  sqlState?: string;
  detail?: string;
  hint?: string;
  /** Where in the compiled model SQL the server pointed, 1-based. */
  line?: number;
  column?: number;
  /** The compiled SQL of the model, relative to the project root. */
  compiledPath?: string;
}

export interface NodeResult {
  id: string;
  name: string;
  /** What ran: a model build or a data test. */
  resourceType: 'model' | 'test';
  status: NodeStatus;
  startedAt?: string;
  finishedAt?: string;
  durationMs: number;
  rowsAffected?: number;
  /** One line for people: what happened. */
  message: string;
  error?: NodeError;
  /** For skipped nodes: the failed ancestor that caused the skip. */
  skippedBecause?: string;
  /** How many times a transient failure was retried. */
  retries?: number;
  /** For tests: how many rows failed. */
  failures?: number;
  /** For tests: whether the whole relation was tested, or only the rows an incremental run wrote. */
  testedRows?: 'all' | 'changed';
  /** For tests on sources: the newest landed-at value the test saw. */
  checkedThrough?: string;
  /** For tests with stored failures: where the failing rows are. */
  failuresRelation?: string;
}

export interface RunResult {
  runId: string;
  target: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  threads: number;
  /** One result per planned node, in plan order. */
  results: NodeResult[];
  /** True when the run was stopped by its AbortSignal before every node ran. */
  cancelled: boolean;
}

export function countByStatus(results: readonly NodeResult[]): Record<NodeStatus, number> {
  const counts: Record<NodeStatus, number> = { success: 0, error: 0, skipped: 0, warn: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
