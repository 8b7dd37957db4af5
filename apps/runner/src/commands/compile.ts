import { plan, writeCompiledSql, writeManifest } from '@warehouse/core';
import type { Output } from '../output.js';
import { loadGraph, manifestFor, openProject, selectModels, type CommonOptions, type SelectionOptions } from './project-context.js';

/**
 * `warehouse compile`: validate the project and write target/manifest.json and the compiled
 * SQL of the selected models, without touching a database.
 */
export async function run(options: CommonOptions & SelectionOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const selected = selectModels(graph, context, options);
  const compiled = plan(graph, selected, { targetName: context.target.name, schemaPrefix: context.target.schemaPrefix });
  const manifest = manifestFor(graph, context);
  await writeManifest(context.rootDir, manifest);
  await writeCompiledSql(context.rootDir, compiled);
  output.info(`compiled ${compiled.nodes.length} model(s) of ${graph.order.length}; wrote target/manifest.json and target/compiled/`);
  output.result({ models: compiled.nodes.map((n) => ({ name: n.name, package: n.package, compiledPath: n.compiledPath })) });
  return 0;
}
