#!/usr/bin/env node
// The `warehouse` CLI. Runs from a bundle of the runner that is rebuilt whenever its sources
// change (see runner-bundle.mjs). WAREHOUSE_FROM_SOURCE=1, or a bundle that cannot be built,
// runs the TypeScript sources instead: a hook adds the "source" export condition (workspace
// packages resolve to src/) and tsx compiles TypeScript on import.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { SERVED_COMMANDS } from './served-commands.mjs';

// `warehouse compile` and `ls` go to the project's compile server when one runs (warehouse
// server start); the client is all this process loads then
let served;
if (SERVED_COMMANDS.has(process.argv[2]) && process.env.WAREHOUSE_FROM_SOURCE !== '1') {
  served = await (await import('./compile-client.mjs')).compileThroughServer(process.argv);
}

let bundle;
if (served !== undefined) {
  process.exitCode = served;
} else if (process.env.WAREHOUSE_FROM_SOURCE !== '1') {
  try {
    const { runnerBundle } = await import('./runner-bundle.mjs');
    bundle = await runnerBundle();
  } catch (error) {
    process.stderr.write(`warehouse: running from sources, the runner bundle failed to build: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
if (served !== undefined) {
  // answered by the compile server
} else if (bundle) {
  const runner = await import(pathToFileURL(bundle.cli).href);
  runner.useCoreModule(bundle.core);
  process.exitCode = await runner.main(process.argv);
} else {
  const { register: registerTypeScript } = await import('tsx/esm/api');
  register('./source-condition.mjs', import.meta.url);
  registerTypeScript();
  const { main } = await import('../src/cli.ts');
  process.exitCode = await main(process.argv);
}
