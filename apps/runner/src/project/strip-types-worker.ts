// The entry of a type-stripping thread (see strip-types-thread.ts): bundles the packages it is
// sent, one at a time, in the order sent, and answers as each is written.
import { parentPort } from 'node:worker_threads';
import { loadStripper } from './strip-types-bundle.js';
import { stripAndWrite, type StripTask } from './strip-types-thread.js';

// ready once the stripper is loaded: until then the caller gives packages to esbuild
let queue = loadStripper().then(
  () => parentPort!.postMessage('ready'),
  () => parentPort!.postMessage('ready'),
);
parentPort!.on('message', (task: StripTask) => {
  queue = queue.then(async () => parentPort!.postMessage(await stripAndWrite(task)));
});
