import {
  buildGraph,
  buildManifest,
  createAdapter,
  ErrorCode,
  WarehouseError,
  type SelectOptions,
  resolveTarget,
  select,
  type Adapter,
  type ProjectGraph,
  type ResolvedTarget,
  type WarehouseConfig,
} from '@warehouse/core';
import type { Output } from '../output.js';
import { findProjectRoot } from '../project/find-project-root.js';
import { loadConfig } from '../project/load-config.js';
import { openPackages } from '../project/load-project.js';
import { compileSession } from '../server/compile-session.js';

/** Options every command takes. */
export interface CommonOptions {
  projectDir?: string;
  target?: string;
  threads?: number;
  json?: boolean;
  debug?: boolean;
}

export interface SelectionOptions {
  select?: string[];
  exclude?: string[];
  /** A named selector from warehouse.config.ts `selectors`. */
  selector?: string;
}

export interface ProjectContext {
  rootDir: string;
  config: WarehouseConfig;
  target: ResolvedTarget;
}

/** Finds the project, loads and validates its config, resolves the target. */
export async function openProject(options: CommonOptions, output: Output): Promise<ProjectContext> {
  const rootDir = findProjectRoot(options.projectDir ?? process.cwd());
  const { config, warnings } = await loadConfig(rootDir);
  for (const warning of warnings) output.warn(warning);
  const target = resolveTarget(config, { name: options.target, threads: options.threads }, process.env, rootDir);
  output.debug('resolved project', {
    rootDir,
    target: target.name,
    adapter: target.adapter.type === 'pg' ? { type: 'pg', maxConnections: target.adapter.maxConnections } : target.adapter,
    schemaPrefix: target.schemaPrefix,
    threads: target.threads,
  });
  return { rootDir, config, target };
}

/** Loads every package and assembles the validated graph (GRAPH_INVALID lists all problems). */
export async function loadGraph(context: ProjectContext, output: Output): Promise<ProjectGraph> {
  const started = Date.now();
  // in the compile server, packages are evaluated on its thread, in a fresh module cache each time
  const opened = await openPackages(context.rootDir, (summary) => output.debug('packages loaded', { ...summary, ms: Date.now() - started }), compileSession);
  const packages = opened.map((p) => p.load());
  const graph = buildGraph(packages);
  for (const warning of graph.warnings) output.warn(warning.message);
  output.debug('project graph assembled', { packages: packages.length, nodes: graph.nodes.size, ms: Date.now() - started });
  return graph;
}

export function selectModels(graph: ProjectGraph, context: ProjectContext, options: SelectionOptions): string[] {
  return select(graph, selectionFor(context, options));
}

/** The selection options of a command: --select/--exclude, or a named --selector from the config. */
export function selectionFor(context: ProjectContext, options: SelectionOptions): SelectOptions {
  if (options.selector) {
    const named = context.config.selectors[options.selector];
    if (!named) {
      const known = Object.keys(context.config.selectors);
      throw new WarehouseError(
        ErrorCode.selectorInvalid,
        `no selector named ${options.selector} in warehouse.config.ts${known.length > 0 ? `; known: ${known.join(', ')}` : ' (it defines none)'}`,
      );
    }
    return { select: [...named.select, ...(options.select ?? [])], exclude: [...(named.exclude ?? []), ...(options.exclude ?? [])], rootDir: context.rootDir };
  }
  return { select: options.select ?? [], exclude: options.exclude ?? [], rootDir: context.rootDir };
}

export function manifestFor(graph: ProjectGraph, context: ProjectContext) {
  return buildManifest(graph, { target: context.target.name, schemaPrefix: context.target.schemaPrefix, rootDir: context.rootDir });
}

/** Opens the target's database; CONNECTION_FAILED names where it tried. */
export async function openDatabase(context: ProjectContext, output: Output): Promise<Adapter> {
  const adapter = await createAdapter(context.target.adapter);
  output.debug('connected', { location: adapter.location });
  return adapter;
}

/** An AbortSignal fired by SIGINT/SIGTERM: running models finish, nothing new starts. */
export function stopSignal(output: Output): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = (name: string) => {
    if (controller.signal.aborted) return;
    output.warn(`${name} received: finishing the models that are running, starting no more`);
    controller.abort();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
