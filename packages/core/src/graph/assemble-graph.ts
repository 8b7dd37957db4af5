import { ErrorCode, WarehouseError, type Problem } from '../errors/warehouse-error.js';
import { linkPackage, type LinkedPackage } from './link-package.js';
import type { GraphNode, ModelNode, ProjectGraph, SourceNode, TestNode, WarehousePackage } from './project-graph.js';
import { checkLinkedProject } from './project-checks.js';
import { indexProject, type ProjectIndex } from './project-index.js';

export interface AssembledGraph {
  graph: ProjectGraph;
  /** Every problem found; a graph with problems must not be executed. */
  problems: Problem[];
}

export interface AssembleOptions {
  /** The day deprecation dates are judged against (default: now). */
  now?: Date;
}

/**
 * Assembles every package's models and sources into one graph and validates it: each
 * declaration, duplicate names, refs to missing models or sources, refs to packages not
 * declared as dependencies, access, cycles between packages and between models. Collects
 * every problem instead of stopping at the first.
 *
 * Three steps: the project's names are indexed (`indexProject`), each package is linked
 * against the index on its own (`linkPackage`), and what only the whole project can tell is
 * checked last (`checkLinkedProject`). The compile cache keeps the middle step per package.
 */
export function assembleGraph(packages: readonly WarehousePackage[], options: AssembleOptions = {}): AssembledGraph {
  const problems: Problem[] = [];
  const index = indexProject(packages, problems);
  const links = packages.map((pkg) => linkPackage(pkg, index, { now: options.now ?? new Date() }));
  return graphOf(index, links, problems);
}

/** The graph of linked packages (in package order), with the project-wide checks made. */
export function graphOf(index: ProjectIndex, links: readonly LinkedPackage[], problems: Problem[]): AssembledGraph {
  const all: Array<SourceNode | ModelNode | TestNode> = [];
  for (const link of links) {
    problems.push(...link.problems);
    all.push(...link.sources, ...link.models, ...link.tests);
  }
  const kpiNodes = links.flatMap((link) => link.kpis);
  const checked = checkLinkedProject(all, kpiNodes, problems);
  // sources first, then models, then tests, as the graph always listed them
  const nodes = new Map<string, GraphNode>();
  for (const type of ['source', 'model', 'test'] as const) {
    for (const node of all) if (node.type === type && !checked.shadowed.has(node)) nodes.set(node.id, node);
  }
  const kpis = new Map(kpiNodes.filter((k) => !checked.shadowed.has(k)).map((k) => [k.name, k]));
  const packagesByName = new Map([...index.packages.keys()].map((name) => [name, index.packages.get(name) as WarehousePackage]));
  return {
    graph: { packages: packagesByName, nodes, children: checked.children, order: checked.order, kpis, warnings: links.flatMap((l) => l.warnings) },
    problems,
  };
}

/** Like {@link assembleGraph}, but throws one WarehouseError listing every problem. */
export function buildGraph(packages: readonly WarehousePackage[], options: AssembleOptions = {}): ProjectGraph {
  const { graph, problems } = assembleGraph(packages, options);
  if (problems.length > 0) {
    const list = problems.map((p) => `  - ${p.message}`).join('\n');
    throw new WarehouseError(ErrorCode.graphInvalid, `the project has ${problems.length} problem(s):\n${list}`, { problems });
  }
  return graph;
}
