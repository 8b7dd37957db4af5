import type { EvaluationThread } from '../project/evaluation-thread.js';
import type { IncrementalBundler } from '../project/incremental-bundler.js';

/**
 * What the process a compile runs in offers it beyond a one-off CLI run. In the compile
 * server: a thread that evaluates packages in a fresh module cache for each compile (this
 * process's own cache keeps every module it ever imported), and esbuild contexts kept per
 * package. Empty in a one-off run.
 */
export const compileSession: { thread?: EvaluationThread; bundler?: IncrementalBundler } = {};
