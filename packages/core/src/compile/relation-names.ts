import type { ProjectGraph } from '../graph/project-graph.js';
import type { AnyModel } from '../model/define-model.js';
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
  const domains = new Map<string, string>();
  const models: AnyModel[] = [];
  for (const node of graph.nodes.values()) {
    if (node.type !== 'model') continue;
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
export function modelResolver(models: readonly AnyModel[]): (name: string, version?: number) => string | undefined {
  const versions = new Map<string, AnyModel[]>();
  const relations = new Set<string>();
  for (const model of models) {
    relations.add(model.relationName);
    versions.set(model.name, [...(versions.get(model.name) ?? []), model]);
  }
  return (name, version) => {
    const candidates = versions.get(name);
    if (version !== undefined) return candidates?.find((m) => m.version === version)?.relationName;
    if (candidates) {
      const latest = candidates.find((m) => m.latest) ?? [...candidates].sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0]!;
      return latest.relationName;
    }
    return relations.has(name) ? name : undefined;
  };
}
