import { countByStatus, execute, plan, recordRun, selectNodes, testScopesFromHistory, writeCompiledSql, writeManifest, writeRunResults } from '@warehouse/core';
import type { Output } from '../output.js';
import {
  loadGraph,
  manifestFor,
  openDatabase,
  openProject,
  selectionFor,
  stopSignal,
  type CommonOptions,
  type SelectionOptions,
} from './project-context.js';

export interface BuildOptions extends CommonOptions, SelectionOptions {
  fullRefresh?: boolean;
  storeFailures?: boolean;
}

/**
 * `warehouse build`: compile the selected models and build them in dependency order, each
 * followed by its data tests (an error test that fails skips the model's descendants).
 * Exit 1 when a model or an error test failed, 0 otherwise.
 */
export async function run(options: BuildOptions & { command?: string; modelsToo?: boolean }, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const selected = selectNodes(graph, selectionFor(context, options));
  const built = plan(graph, selected.models, {
    targetName: context.target.name,
    schemaPrefix: context.target.schemaPrefix,
    fullRefresh: options.fullRefresh ?? false,
    tests: selected.tests,
    ...(context.config.roles.enabled ? { roles: { prefix: context.config.roles.prefix } } : {}),
  });
  await writeManifest(context.rootDir, manifestFor(graph, context));
  await writeCompiledSql(context.rootDir, built);
  if (built.nodes.length === 0 && built.tests.length === 0) {
    output.warn('nothing selected: no model to build');
    output.result({ results: [] });
    return 0;
  }

  const adapter = await openDatabase(context, output);
  const stop = stopSignal(output);
  try {
    // tests that passed last time check only the rows a run writes or a source landed since
    const scopes = await testScopesFromHistory(adapter, context.target.name, built);
    const result = await execute(built, adapter, {
      ...scopes,
      threads: context.target.threads,
      onEvent: output.runListener(),
      signal: stop.signal,
      swapLockTimeoutMs: context.config.swap.lockTimeoutMs,
      swapAttempts: context.config.swap.attempts,
      storeFailures: options.storeFailures ?? false,
    });
    await writeRunResults(context.rootDir, result, { command: options.command ?? 'build', selection: { select: options.select ?? [], exclude: options.exclude ?? [] } });
    await recordRun(adapter, options.command ?? 'build', result, { select: options.select ?? [], exclude: options.exclude ?? [], fullRefresh: options.fullRefresh ?? false });
    output.result(result);
    const counts = countByStatus(result.results);
    return counts.error > 0 || result.cancelled ? 1 : 0;
  } finally {
    stop.dispose();
    await adapter.close();
  }
}
