import { relationNamesFor, domainSchema, type SchemaNaming } from '../compile/relation-names.js';
import { renderModelSql } from '../compile/render-model-sql.js';
import type { AnyModel } from '../model/define-model.js';
import type { ModelNode, ProjectGraph } from '../graph/project-graph.js';

/** One model to build, with its SQL compiled for the target. */
export interface PlannedNode {
  id: string;
  name: string;
  package: string;
  model: AnyModel;
  /** The schema the model is built in on this target. */
  schema: string;
  /** The model's compiled SELECT (for a full build). */
  sql: string;
  /** For incremental models and snapshots: the SELECT of a run that adds to the existing table. */
  incrementalSql?: string;
  /** Columns of the model's table whose current maximum the incremental SELECT uses. */
  selfMaxColumns?: string[];
  /** The incremental SELECT with those maxima written in as literals (what actually runs). */
  renderIncremental?: (selfMaxValues: Readonly<Record<string, string | null>>) => string;
  /** Planned nodes it waits for (dependencies outside the selection are assumed built). */
  dependsOn: string[];
  /** Where the compiled SQL is written, relative to the project root. */
  compiledPath: string;
}

export interface ExecutionPlan {
  target: string;
  nodes: PlannedNode[];
  fullRefresh: boolean;
}

export interface PlanOptions extends SchemaNaming {
  targetName: string;
  fullRefresh?: boolean;
}

/** Compiles the selected models for a target, in dependency order. */
export function plan(graph: ProjectGraph, selected: readonly string[], options: PlanOptions): ExecutionPlan {
  const names = relationNamesFor(graph, options);
  const chosen = new Set(selected);
  const nodes = graph.order
    .filter((id) => chosen.has(id))
    .map((id): PlannedNode => {
      const node = graph.nodes.get(id) as ModelNode;
      const rendered = renderModelSql(node.model, names, { targetName: options.targetName, incremental: false });
      const incremental = node.model.materialized === 'incremental' || node.model.materialized === 'snapshot';
      const incrementalOptions = { targetName: options.targetName, incremental: true };
      const renderedIncremental = incremental ? renderModelSql(node.model, names, incrementalOptions) : undefined;
      return {
        id,
        name: node.name,
        package: node.package,
        model: node.model,
        schema: domainSchema(node.model.domain, options),
        sql: rendered.sql,
        ...(renderedIncremental
          ? {
              incrementalSql: renderedIncremental.sql,
              selfMaxColumns: renderedIncremental.selfMaxColumns,
              renderIncremental: (selfMaxValues: Readonly<Record<string, string | null>>) =>
                renderModelSql(node.model, names, { ...incrementalOptions, selfMaxValues }).sql,
            }
          : {}),
        dependsOn: node.dependsOn.filter((d) => chosen.has(d)),
        compiledPath: compiledPathOf(node),
      };
    });
  return { target: options.targetName, nodes, fullRefresh: options.fullRefresh ?? false };
}

/** `target/compiled/<package without scope>/<model>.sql` */
export function compiledPathOf(node: Pick<ModelNode, 'package' | 'name'>): string {
  return `target/compiled/${node.package.replace(/^@[^/]+\//, '')}/${node.name}.sql`;
}

/** `x.sql` -> `x.incremental.sql`, where the SELECT of an incremental run is written. */
export const incrementalPathOf = (compiledPath: string): string => compiledPath.replace(/\.sql$/, '.incremental.sql');
