// The entry of a type-stripping thread (see strip-types-thread.ts): bundles the packages it is
// sent, one at a time, in the order sent, and answers as each is written.
import { parentPort } from 'node:worker_threads';
import { stripAndWrite, type StripTask } from './strip-types-thread.js';

let queue = Promise.resolve();
parentPort!.on('message', (task: StripTask) => {
  queue = queue.then(async () => parentPort!.postMessage(await stripAndWrite(task)));
});
