import { countByStatus, execute, plan, recordRun, selectNodes, writeCompiledSql, writeRunResults } from '@warehouse/core';
import type { Output } from '../output.js';
import { loadGraph, openDatabase, openProject, selectionFor, stopSignal, type CommonOptions, type SelectionOptions } from './project-context.js';

export interface TestCommandOptions extends CommonOptions, SelectionOptions {
  storeFailures?: boolean;
}

/**
 * `warehouse test`: run the data tests of the selected models and sources (or tests picked
 * by `test_type:`/`test_name:`) against what is built. Exit 1 when an error-severity test fails.
 */
export async function run(options: TestCommandOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const selected = selectNodes(graph, selectionFor(context, options));
  const tests = plan(graph, [], { targetName: context.target.name, schemaPrefix: context.target.schemaPrefix, tests: selected.tests });
  await writeCompiledSql(context.rootDir, tests);
  if (tests.tests.length === 0) {
    output.warn('nothing selected: no data test to run');
    output.result({ results: [] });
    return 0;
  }
  const adapter = await openDatabase(context, output);
  const stop = stopSignal(output);
  try {
    const result = await execute(tests, adapter, {
      threads: context.target.threads,
      onEvent: output.runListener(),
      signal: stop.signal,
      storeFailures: options.storeFailures ?? false,
    });
    await writeRunResults(context.rootDir, result, { command: 'test', selection: { select: options.select ?? [], exclude: options.exclude ?? [] } });
    await recordRun(adapter, 'test', result, { select: options.select ?? [], exclude: options.exclude ?? [] });
    output.result(result);
    return countByStatus(result.results).error > 0 || result.cancelled ? 1 : 0;
  } finally {
    stop.dispose();
    await adapter.close();
  }
}
