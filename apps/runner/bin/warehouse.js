#!/usr/bin/env node
// The `warehouse` CLI. Runs from a bundle of the runner that is rebuilt whenever its sources
// change (see runner-bundle.mjs). WAREHOUSE_FROM_SOURCE=1, or a bundle that cannot be built,
// runs the TypeScript sources instead: a hook adds the "source" export condition (workspace
// packages resolve to src/) and tsx compiles TypeScript on import.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { runnerBundle } from './runner-bundle.mjs';

let bundle;
if (process.env.WAREHOUSE_FROM_SOURCE !== '1') {
  try {
    bundle = await runnerBundle();
  } catch (error) {
    process.stderr.write(`warehouse: running from sources, the runner bundle failed to build: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
if (bundle) {
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
