import type { ModelNode, ProjectGraph } from '../graph/project-graph.js';
import type { ModelInterface } from '../graph/project-index.js';
import type { RelationNames } from './render-model-sql.js';

/** Schema naming on a target: models live in `<prefix><domain>`, sources in `raw_<system>`. */
export interface SchemaNaming {
  /** Prepended to every domain schema, e.g. `ci_42_` to build into an isolated set of schemas. */
  schemaPrefix?: string;
}

export function domainSchema(domain: string, naming: SchemaNaming = {}): string {
  return `${naming.schemaPrefix ?? ''}${domain}`;
}

export function sourceSchema(system: string): string {
  return `raw_${system}`;
}

/** Where each model of the graph lives on a target. */
export function relationNamesFor(graph: ProjectGraph, naming: SchemaNaming = {}): RelationNames {
  const models: ModelNode[] = [];
  for (const node of graph.nodes.values()) if (node.type === 'model') models.push(node);
  return relationNamesOf(models, naming);
}

/** Where each of these models (by relation name) lives on a target. */
export function relationNamesOf(nodes: Iterable<{ name: string; model: ModelInterface }>, naming: SchemaNaming = {}): RelationNames {
  const domains = new Map<string, string>();
  const models: ModelInterface[] = [];
  for (const node of nodes) {
    domains.set(node.name, node.model.domain);
    models.push(node.model);
  }
  return {
    modelSchema: (name) => {
      const domain = domains.get(name);
      return domain === undefined ? undefined : domainSchema(domain, naming);
    },
    resolveModel: modelResolver(models),
    sourceSchema,
  };
}

/**
 * Resolves a ref by name to a relation name: an unversioned model is its name; a versioned one
 * its `latest` version (by default the highest), or the version asked for. A relation name
 * (`x_v1`) resolves to itself.
 */
export function modelResolver(models: readonly Pick<ModelInterface, 'name' | 'relationName' | 'version' | 'latest'>[]): (name: string, version?: number) => string | undefined {
  // by name: the relation a ref without a version gets, and each version's relation
  const latest = new Map<string, { relationName: string; version: number; marked: boolean }>();
  const versions = new Map<string, Map<number, string>>();
  const relations = new Set<string>();
  for (const model of models) {
    relations.add(model.relationName);
    if (model.version !== undefined) {
      let byVersion = versions.get(model.name);
      if (!byVersion) versions.set(model.name, (byVersion = new Map()));
      if (!byVersion.has(model.version)) byVersion.set(model.version, model.relationName);
    }
    const current = latest.get(model.name);
    const version = model.version ?? 0;
    const marked = model.latest === true;
    // the first one marked latest, else the highest version (the first seen of equals)
    if (!current || (marked && !current.marked) || (!marked && !current.marked && version > current.version)) {
      latest.set(model.name, { relationName: model.relationName, version, marked });
    }
  }
  return (name, version) => {
    if (version !== undefined) return versions.get(name)?.get(version);
    const found = latest.get(name);
    if (found) return found.relationName;
    return relations.has(name) ? name : undefined;
  };
}
