import type { AnyModel } from '../model/define-model.js';
import type { AnySource } from '../model/define-source.js';
import type { Kpi } from '../kpi/define-kpi.js';
import type { DataTest } from '../quality/collect-tests.js';
import type { Problem } from '../errors/warehouse-error.js';

/** A package of the workspace that contributes models or sources to the warehouse. */
export interface WarehousePackage {
  /** npm name, e.g. `@warehouse/sales`. */
  name: string;
  version: string;
  /** The domain its models belong to (package.json `warehouse.domain`); none for shared packages. */
  domain?: string;
  /** Names of the packages it lists in package.json `dependencies`. */
  dependencies: readonly string[];
  /** Folder of the package, relative to the project root (for `path:` selection and messages). */
  path?: string;
  models: readonly AnyModel[];
  sources: readonly AnySource[];
  kpis?: readonly Kpi[];
}

export interface ModelNode {
  type: 'model';
  /** `model.<name>` */
  id: string;
  name: string;
  package: string;
  model: AnyModel;
  /** Ids of the nodes this model reads (models and sources), sorted. */
  dependsOn: string[];
  /** The model's SELECT with schemas unprefixed (filled in by assembly). */
  neutralSql?: string;
}

export interface SourceNode {
  type: 'source';
  /** `source.<system>.<name>` */
  id: string;
  name: string;
  package: string;
  source: AnySource;
  dependsOn: [];
}

/** A data test on a model or source; it reads what it tests and, for relationships, the target. */
export interface TestNode {
  type: 'test';
  /** `test.<name>` */
  id: string;
  name: string;
  package: string;
  test: DataTest;
  /** The tested node first, then anything else the test reads. */
  dependsOn: string[];
}

export type GraphNode = ModelNode | SourceNode | TestNode;

/** A KPI and the models and sources it reads (KPIs are not built; they are queried). */
export interface KpiNode {
  name: string;
  package: string;
  kpi: Kpi;
  dependsOn: string[];
}

/** Every package's models and sources as one validated graph. */
export interface ProjectGraph {
  packages: ReadonlyMap<string, WarehousePackage>;
  nodes: ReadonlyMap<string, GraphNode>;
  /** For each node id, the ids of the nodes that read it, sorted. */
  children: ReadonlyMap<string, readonly string[]>;
  /** Model ids in dependency order (ties broken by name, so the order is deterministic). */
  order: readonly string[];
  /** KPIs by name. */
  kpis: ReadonlyMap<string, KpiNode>;
  /** Findings that do not stop a build, such as refs to deprecated model versions. */
  warnings: readonly Problem[];
}

export const modelId = (name: string): string => `model.${name}`;
export const sourceId = (system: string, name: string): string => `source.${system}.${name}`;
export const testId = (name: string): string => `test.${name}`;

/** The data tests attached to a node (a model or source), by name. */
export function testsOf(graph: ProjectGraph, nodeId: string): TestNode[] {
  return (graph.children.get(nodeId) ?? [])
    .map((id) => graph.nodes.get(id)!)
    .filter((n): n is TestNode => n.type === 'test' && n.test.attachedTo === nodeId);
}

export function modelNodes(graph: ProjectGraph): ModelNode[] {
  return graph.order.map((id) => graph.nodes.get(id) as ModelNode);
}
