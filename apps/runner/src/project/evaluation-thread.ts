import { Worker } from 'node:worker_threads';
import type { DefinitionRecords } from '@warehouse/core';

/** A package to evaluate on the thread: its bundle and the bundles of the warehouse packages it imports. */
export interface EvaluationTask {
  id: number;
  rootDir: string;
  file: string;
  closure: string[];
}

/** The thread's answer: the records, or that they hold live values (which cannot cross threads), or what the package threw. */
export type EvaluationAnswer =
  | { id: number; records: DefinitionRecords; live?: undefined; error?: undefined }
  | { id: number; live: true; records?: undefined; error?: undefined }
  | { id: number; error: { message: string; stack: string }; records?: undefined; live?: undefined };

/** An error a package threw on the evaluation thread, with the stack it threw from. */
export class EvaluationError extends Error {
  constructor(message: string, stack: string) {
    super(message);
    this.stack = stack;
  }
}

/** This compile cannot be served by a long-running process: run it in a process of its own. */
export class FreshProcessNeeded extends Error {}

/**
 * Evaluates packages on a thread with a module cache of its own, for a process that compiles
 * again and again (the compile server). Node keeps every module it imported for the life of
 * the process: a package bundled again after an edit, or one importing it, would be imported
 * as it was. `renew()` swaps in a new thread, started ahead so it is warm (core loaded) by the
 * next compile: each compile evaluates in a fresh module cache, as a new process would.
 *
 * Runs only with the bundled runner: its entry is `evaluation-worker.mjs` beside this module.
 */
export class EvaluationThread {
  private worker: Worker;
  private readonly pending = new Map<number, { resolve: (answer: EvaluationAnswer) => void; reject: (error: Error) => void }>();
  private next = 0;

  constructor() {
    this.worker = this.start();
  }

  evaluate(task: Omit<EvaluationTask, 'id'>): Promise<EvaluationAnswer> {
    const id = this.next++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...task, id } satisfies EvaluationTask);
    });
  }

  /** Ends the current thread and starts the next. */
  renew(): void {
    this.fail(new Error('the evaluation thread was renewed'));
    void this.worker.terminate();
    this.worker = this.start();
  }

  async close(): Promise<void> {
    this.fail(new Error('the evaluation thread was closed'));
    await this.worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./evaluation-worker.mjs', import.meta.url));
    // an idle thread must not keep the process alive
    worker.unref();
    worker.on('message', (answer: EvaluationAnswer) => {
      if (worker !== this.worker) return;
      const waiting = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      waiting?.resolve(answer);
    });
    worker.on('error', (error) => worker === this.worker && this.fail(error));
    worker.on('exit', (code) => worker === this.worker && this.fail(new Error(`the evaluation thread exited (code ${code})`)));
    return worker;
  }

  private fail(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
