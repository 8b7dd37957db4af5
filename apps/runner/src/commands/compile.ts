import { buildGraph, compileProject, ErrorCode, openCompiledFiles, plan, WarehouseError, writeCompiledSql, writeManifest } from '@warehouse/core';
import type { Output } from '../output.js';
import { CompileCache } from '../project/compile-cache.js';
import { openPackages } from '../project/load-project.js';
import { startsCompileServer } from '../server/auto-start.js';
import { compileSession } from '../server/compile-session.js';
import { loadGraph, manifestFor, openProject, selectModels, type CommonOptions, type ProjectContext, type SelectionOptions } from './project-context.js';

/**
 * `warehouse compile`: validate the project and write target/manifest.json and the compiled
 * SQL of the selected models, without touching a database. Without a selection every model
 * is compiled incrementally: each package's part of the last compile is reused while the
 * package and the declarations it read are unchanged (see compileProject).
 */
export async function run(options: CommonOptions & SelectionOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const selecting = (options.select?.length ?? 0) > 0 || (options.exclude?.length ?? 0) > 0 || options.selector !== undefined;
  if (!selecting) return compileEverything(context, output);
  const graph = await loadGraph(context, output);
  const selected = selectModels(graph, context, options);
  const compiled = plan(graph, selected, { targetName: context.target.name, schemaPrefix: context.target.schemaPrefix });
  await writeManifest(context.rootDir, manifestFor(graph, context));
  await writeCompiledSql(context.rootDir, compiled);
  output.info(`compiled ${compiled.nodes.length} model(s) of ${graph.order.length}; wrote target/manifest.json and target/compiled/`);
  output.result({ models: compiled.nodes.map((n) => ({ name: n.name, package: n.package, compiledPath: n.compiledPath })) });
  return 0;
}

async function compileEverything(context: ProjectContext, output: Output): Promise<number> {
  const started = Date.now();
  const packages = await openPackages(context.rootDir, (summary) => output.debug('packages loaded', { ...summary }), compileSession);
  const target = { targetName: context.target.name, schemaPrefix: context.target.schemaPrefix };
  const cache = new CompileCache(context.rootDir, target);
  const compiledFiles = await openCompiledFiles(context.rootDir);
  const units = packages.map((p) => {
    const key = p.recordsKey === undefined ? undefined : cache.keyOf(p.recordsKey);
    const previous = key === undefined ? undefined : cache.read(p.meta.name);
    return { package: p.meta, ...(key ? { key } : {}), ...(previous ? { previous } : {}), definitions: p.load };
  });
  const checked = cache.readChecks();
  const outcome = compileProject(units, { ...target, rootDir: context.rootDir, compiledFiles, ...(checked ? { checked } : {}) });
  if (outcome.problems.length > 0) {
    // the graph's assembly reports every problem, in its order
    buildGraph(packages.map((p) => p.load()));
    throw new WarehouseError(ErrorCode.graphInvalid, `the project has ${outcome.problems.length} problem(s):\n${outcome.problems.map((p) => `  - ${p.message}`).join('\n')}`, { problems: outcome.problems });
  }
  for (const warning of outcome.warnings) output.warn(warning.message);
  await compiledFiles.commit();
  await writeManifest(context.rootDir, outcome.manifestPieces);
  const linked = new Set(outcome.linked);
  outcome.compiled.forEach((part, i) => {
    if (units[i]!.key !== undefined && linked.has(units[i]!.package.name)) cache.write(units[i]!.package.name, part);
  });
  if (outcome.checked) cache.writeChecks(outcome.checked);
  output.debug('project compiled', { linked: outcome.linked, reused: units.length - linked.size, files: outcome.files.length, ms: Date.now() - started });
  output.info(`compiled ${outcome.models.length} model(s) of ${outcome.models.length}; wrote target/manifest.json and target/compiled/`);
  output.result({ models: outcome.models.map((m) => ({ name: m.name, package: m.package, compiledPath: m.compiledPath })) });
  // in a process of its own (a compile server has its thread): leave a server for the next compile
  if (!compileSession.thread && startsCompileServer(process.env, process.stdout.isTTY === true && process.stdin.isTTY === true)) await startServer(context.rootDir, output);
  return 0;
}

async function startServer(rootDir: string, output: Output): Promise<void> {
  const { AUTO_IDLE_MINUTES, startInBackground } = await import('./server.js');
  const pid = await startInBackground(rootDir);
  if (pid === undefined) return;
  output.info(
    `started a compile server (pid ${pid}) for the next compiles of this project; it stops after ${AUTO_IDLE_MINUTES} idle minutes or on \`warehouse server stop\` (WAREHOUSE_COMPILE_SERVER=off: never)`,
  );
}
