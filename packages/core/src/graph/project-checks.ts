import { ErrorCode, type Problem } from '../errors/warehouse-error.js';
import { findCycles } from './find-cycles.js';
import { topologicalOrder } from './topological-order.js';

/** What the project-wide checks need of a linked node. Graph nodes are ones. */
export interface NodeSummary {
  type: 'model' | 'source' | 'test';
  id: string;
  name: string;
  package: string;
  dependsOn: readonly string[];
  /** For a test: the node it tests. */
  test?: { readonly attachedTo: string };
}

/** What the project-wide checks need of a linked KPI. */
export interface KpiSummary {
  name: string;
  package: string;
  kpi?: { readonly definedAt?: string | undefined };
}

export interface CheckedProject {
  /** Model ids in dependency order (ties broken by id, so the order is deterministic). */
  order: string[];
  /** For each node id, the ids of the nodes that read it, sorted. */
  children: Map<string, string[]>;
  /** Nodes that lost to an earlier one of the same id (a test name used in two packages). */
  shadowed: Set<unknown>;
}

/**
 * The checks only the whole linked project can make: test and KPI names used in two packages
 * (each package checks its own), and cycles between models. Also orders the models and maps
 * each node to its readers. `nodes` and `kpis` come in package order; the first of a name wins.
 */
export function checkLinkedProject(nodes: readonly NodeSummary[], kpis: readonly KpiSummary[], problems: Problem[]): CheckedProject {
  const shadowed = new Set<unknown>();
  const byId = firstOfEach(nodes, (node) => node.id, shadowed, (node, existing) => {
    if (node.type !== 'test' || existing.type !== 'test') return;
    problems.push({
      code: ErrorCode.duplicateModel,
      model: node.name,
      message: `test ${node.name} is declared twice: on ${existing.test!.attachedTo} and on ${node.test!.attachedTo}; give one a name`,
    });
  });
  firstOfEach(kpis, (kpi) => kpi.name, shadowed, (kpi, existing) => {
    const where = kpi.kpi?.definedAt ? ` (${kpi.kpi.definedAt})` : '';
    problems.push({ code: ErrorCode.duplicateModel, model: kpi.name, message: `kpi ${kpi.name} is declared twice: in ${existing.package} and in ${kpi.package}${where}` });
  });

  const modelIds: string[] = [];
  for (const node of byId.values()) if (node.type === 'model') modelIds.push(node.id);
  const dependsOn = (id: string) => byId.get(id)?.dependsOn ?? [];
  const order = topologicalOrder(modelIds, dependsOn);
  // the order leaves out models on a cycle (and those after one): only then are cycles looked for
  if (order.length < modelIds.length) {
    for (const cycle of findCycles(modelIds, dependsOn)) {
      const names = cycle.map((id) => byId.get(id)!.name);
      problems.push({ code: ErrorCode.modelCycle, model: names[0], message: `models form a cycle: ${names.join(' -> ')}` });
    }
  }

  const children = new Map<string, string[]>();
  for (const node of byId.values()) {
    for (const parent of node.dependsOn) {
      const list = children.get(parent);
      if (list) list.push(node.id);
      else children.set(parent, [node.id]);
    }
  }
  for (const list of children.values()) list.sort();
  return { order, children, shadowed };
}

/** The first item of each key; every later one is added to `shadowed` and passed to `onDuplicate`. */
function firstOfEach<T>(items: readonly T[], keyOf: (item: T) => string, shadowed: Set<unknown>, onDuplicate: (item: T, first: T) => void): Map<string, T> {
  const first = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    const existing = first.get(key);
    if (existing === undefined) first.set(key, item);
    else {
      shadowed.add(item);
      onDuplicate(item, existing);
    }
  }
  return first;
}
