// The entry of an evaluation thread (see evaluation-thread.ts): evaluates the packages it is
// sent, one at a time, in a module cache of its own, and answers with their records.
import { parentPort } from 'node:worker_threads';
import { isPersistable } from '@warehouse/core';
import { evaluatePackage, type EvaluatedBundle } from './evaluate-package.js';
import type { EvaluationAnswer, EvaluationTask } from './evaluation-thread.js';
import { BundlePositions } from './source-positions.js';

const bundles = new Map<string, EvaluatedBundle>();
const bundleOf = (file: string) => {
  let bundle = bundles.get(file);
  if (!bundle) bundles.set(file, (bundle = { file, positions: new BundlePositions(`${file}.map`) }));
  return bundle;
};

let queue = Promise.resolve();
parentPort!.on('message', (task: EvaluationTask) => {
  queue = queue.then(async () => parentPort!.postMessage(await answer(task)));
});

async function answer(task: EvaluationTask): Promise<EvaluationAnswer> {
  try {
    for (const file of task.closure) bundleOf(file);
    const records = await evaluatePackage(task.rootDir, bundleOf(task.file), bundles);
    // records holding live values (functions, class instances) cannot cross threads
    return isPersistable(records) ? { id: task.id, records } : { id: task.id, live: true };
  } catch (error) {
    return { id: task.id, error: { message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? (error.stack ?? '') : '' } };
  }
}
