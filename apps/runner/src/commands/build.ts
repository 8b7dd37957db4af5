import { countByStatus, execute, plan, recordRun, writeCompiledSql, writeManifest, writeRunResults } from '@warehouse/core';
import type { Output } from '../output.js';
import {
  loadGraph,
  manifestFor,
  openDatabase,
  openProject,
  selectModels,
  stopSignal,
  type CommonOptions,
  type SelectionOptions,
} from './project-context.js';

export interface BuildOptions extends CommonOptions, SelectionOptions {
  fullRefresh?: boolean;
}

/**
 * `warehouse build`: compile the selected models and build them in dependency order.
 * Exit 1 when any model failed, 0 otherwise.
 */
export async function run(options: BuildOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const selected = selectModels(graph, context, options);
  const built = plan(graph, selected, {
    targetName: context.target.name,
    schemaPrefix: context.target.schemaPrefix,
    fullRefresh: options.fullRefresh ?? false,
  });
  await writeManifest(context.rootDir, manifestFor(graph, context));
  await writeCompiledSql(context.rootDir, built);
  if (built.nodes.length === 0) {
    output.warn('nothing selected: no model to build');
    output.result({ results: [] });
    return 0;
  }

  const adapter = await openDatabase(context, output);
  const stop = stopSignal(output);
  try {
    const result = await execute(built, adapter, {
      threads: context.target.threads,
      onEvent: output.runListener(),
      signal: stop.signal,
      swapLockTimeoutMs: context.config.swap.lockTimeoutMs,
      swapAttempts: context.config.swap.attempts,
    });
    await writeRunResults(context.rootDir, result, { command: 'build', selection: { select: options.select ?? [], exclude: options.exclude ?? [] } });
    await recordRun(adapter, 'build', result, { select: options.select ?? [], exclude: options.exclude ?? [], fullRefresh: options.fullRefresh ?? false });
    output.result(result);
    const counts = countByStatus(result.results);
    return counts.error > 0 || result.cancelled ? 1 : 0;
  } finally {
    stop.dispose();
    await adapter.close();
  }

}
