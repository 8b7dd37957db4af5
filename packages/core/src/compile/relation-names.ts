import type { ProjectGraph } from '../graph/project-graph.js';
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
  for (const node of graph.nodes.values()) if (node.type === 'model') domains.set(node.name, node.model.domain);
  return {
    modelSchema: (name) => {
      const domain = domains.get(name);
      return domain === undefined ? undefined : domainSchema(domain, naming);
    },
    sourceSchema,
  };
}
