import type { RelationNames } from '../compile/render-model-sql.js';
import type { ModelNode, SourceNode } from './project-graph.js';

/** What the assembly of KPIs and tests needs from the model and source assembly. */
export interface AssemblyContext {
  modelsByName: ReadonlyMap<string, ModelNode>;
  /** Sources by `system.name`. */
  sourcesByKey: ReadonlyMap<string, SourceNode>;
  /** Relation names that only record what is read (schemas do not matter during assembly). */
  names: RelationNames;
}
