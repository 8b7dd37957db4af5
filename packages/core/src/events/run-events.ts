import type { NodeResult, RunResult } from '../execute/run-result.js';

/** What the executor reports while it runs; the caller decides how to show it. */
export type RunEvent =
  | { type: 'run-started'; runId: string; target: string; nodes: number; threads: number; location: string }
  | { type: 'node-started'; id: string; name: string; index: number; total: number }
  | { type: 'node-finished'; result: NodeResult; index: number; total: number }
  | { type: 'query'; id?: string; sql: string }
  | { type: 'retry'; id: string; attempt: number; reason: string }
  | { type: 'run-finished'; result: RunResult };

export type RunEventListener = (event: RunEvent) => void;
