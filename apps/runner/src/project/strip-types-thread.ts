import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildStamp } from './file-stamps.js';
import { bundleByStrippingTypes, NeedsFullBundler, writeStrippedBundle } from './strip-types-bundle.js';

/** A package to bundle by stripping types. */
export interface StripTask {
  id: number;
  rootDir: string;
  entry: string;
  outfile: string;
  alias: Record<string, string>;
  /**
   * When set, the bundle's stamp is taken here too: the fingerprint of the files it was built
   * from plus `extraInputs` (the package's config files), salted. The statting of every input
   * is then off the thread that imports the packages, which bounds a cold compile.
   */
  stamp?: { salt: string; extraInputs: string[] };
}

/** A bundle's stamp: what it was built from, sorted, and their fingerprint. */
export interface StripStamp {
  inputs: string[];
  fingerprint: string;
}

/** What was bundled (the files are written), or why the package needs the full bundler, or what went wrong. */
export type StripAnswer =
  | { id: number; inputs: string[]; externals: string[]; stamp?: StripStamp; needsFullBundler?: undefined; error?: undefined }
  | { id: number; needsFullBundler: string; inputs?: undefined; error?: undefined }
  | { id: number; error: { message: string; stack: string }; needsFullBundler?: undefined; inputs?: undefined };

/** Bundles one package by stripping types and writes it: what a thread does for each task. */
export async function stripAndWrite(task: StripTask): Promise<StripAnswer> {
  try {
    const bundle = await bundleByStrippingTypes(task.rootDir, task.entry, task.outfile, task.alias);
    writeStrippedBundle(task.outfile, bundle);
    const answer = { id: task.id, inputs: bundle.inputs, externals: bundle.externals };
    return task.stamp ? { ...answer, stamp: buildStamp(task.rootDir, bundle.inputs, task.stamp.extraInputs, task.stamp.salt) } : answer;
  } catch (error) {
    if (error instanceof NeedsFullBundler) return { id: task.id, needsFullBundler: error.message };
    return { id: task.id, error: { message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? (error.stack ?? '') : '' } };
  }
}

const WORKER_ENTRY = new URL('./strip-types-worker.mjs', import.meta.url);

/**
 * Strips the types of many packages on a thread of their own, in the order asked, while this
 * thread imports and records the packages already bundled: on two cores a cold compile of
 * 10,000 models keeps both busy instead of one. The thread exists only with the bundled
 * runner (its entry is `strip-types-worker.mjs` beside this module); from sources packages
 * are stripped in this thread.
 */
export class StripTypesThread {
  private worker: Worker;
  private readonly pending = new Map<number, (answer: StripAnswer) => void>();
  private next = 0;
  /** Whether the thread has loaded the stripper (or failed, when every task is answered with the failure). */
  ready = false;
  /** Settles once the thread is ready. */
  readonly started: Promise<void>;
  private markStarted!: () => void;

  constructor() {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.worker = this.start();
  }

  /** Whether a thread can run here: only beside the bundled runner's worker entry. */
  static available(): boolean {
    return WORKER_ENTRY.protocol === 'file:' && WORKER_ENTRY.pathname.endsWith('.mjs') && existsSync(fileURLToPath(WORKER_ENTRY));
  }

  strip(task: Omit<StripTask, 'id'>): Promise<StripAnswer> {
    const worker = this.worker;
    if (this.failure) return Promise.resolve({ id: -1, error: { message: this.failure, stack: '' } });
    const id = this.next++;
    worker.ref();
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ ...task, id } satisfies StripTask);
    });
  }

  /** Ends the thread once what it was given is answered (a compile server must not keep one per cold compile). */
  close(): void {
    this.failure ??= 'the type-stripping thread was closed';
    if (this.pending.size === 0) void this.worker.terminate();
    else this.closing = true;
  }

  private failure: string | undefined;
  private closing = false;

  private start(): Worker {
    const worker = new Worker(WORKER_ENTRY);
    worker.on('message', (answer: StripAnswer | 'ready') => {
      if (answer === 'ready') return this.becomeReady();
      const waiting = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      // an idle thread must not keep the process alive; it ends with it
      if (this.pending.size === 0) worker.unref();
      if (this.pending.size === 0 && this.closing) void worker.terminate();
      waiting?.(answer);
    });
    const fail = (message: string) => {
      this.failure ??= message;
      for (const [id, waiting] of this.pending) waiting({ id, error: { message, stack: '' } });
      this.pending.clear();
      this.becomeReady();
    };
    worker.on('error', (error) => fail(`the type-stripping thread failed: ${error.message}`));
    worker.on('exit', (code) => fail(`the type-stripping thread exited (code ${code})`));
    // held open until it is ready (a compile may be waiting for it), then only while it has work
    return worker;
  }

  private becomeReady(): void {
    this.ready = true;
    // idle: the process may end without it (all its packages went to esbuild, say)
    if (this.pending.size === 0) this.worker.unref();
    this.markStarted();
  }
}
