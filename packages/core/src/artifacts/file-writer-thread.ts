import { Worker } from 'node:worker_threads';

/**
 * Writes files on a thread of its own. Creating thousands of small files is mostly kernel
 * time the main thread would otherwise wait through, while it has the rest of a compile to
 * do; the second core does it instead. Files are written in the order given, synchronously on
 * that thread (for small files cheaper than a promise per open, write and close).
 */
export interface FileWriterThread {
  /** Queues files (absolute path, content); their folders are made as needed. */
  write(files: ReadonlyArray<readonly [string, string]>): void;
  /** Resolves once every queued file is written, rejects naming the first that failed; ends the thread. */
  close(): Promise<void>;
}

// a script, not a module file: it works the same from sources and from any bundle
const WRITER_SCRIPT = `
const { parentPort } = require('node:worker_threads');
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const folders = new Set();
let failure;
parentPort.on('message', (message) => {
  if (message === 'close') return parentPort.postMessage({ failure });
  if (failure) return;
  for (const [path, content] of message) {
    try {
      const folder = dirname(path);
      if (!folders.has(folder)) { mkdirSync(folder, { recursive: true }); folders.add(folder); }
      writeFileSync(path, content);
    } catch (error) {
      failure = { path, message: error instanceof Error ? error.message : String(error) };
      return;
    }
  }
});
`;

export function startFileWriterThread(): FileWriterThread {
  const worker = new Worker(WRITER_SCRIPT, { eval: true });
  // a compile that fails before closing must still exit; close() holds the process until done
  worker.unref();
  let crashed: Error | undefined;
  worker.on('error', (error) => {
    crashed = error;
  });
  return {
    write(files) {
      if (files.length > 0) worker.postMessage(files);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        if (crashed) return reject(crashed);
        worker.ref();
        worker.once('message', (reply: { failure?: { path: string; message: string } }) => {
          void worker.terminate();
          if (reply.failure) reject(new Error(`could not write ${reply.failure.path}: ${reply.failure.message}`));
          else resolve();
        });
        worker.once('error', reject);
        worker.postMessage('close');
      });
    },
  };
}
