#!/usr/bin/env node
// The `warehouse` CLI. Runs the TypeScript sources directly: a hook adds the "source" export
// condition (workspace packages resolve to src/), and tsx compiles TypeScript on import.
import { register } from 'node:module';
import { register as registerTypeScript } from 'tsx/esm/api';

register('./source-condition.mjs', import.meta.url);
registerTypeScript();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
