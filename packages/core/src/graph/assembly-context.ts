import type { RelationNames } from '../compile/render-model-sql.js';
import type { IndexedModel, IndexedSource, ProjectIndex } from './project-index.js';

/**
 * What linking a package reads of the rest of the project, through the index. Every read is
 * recorded (`reads`: the packages whose declarations answered it), so the compile cache knows
 * which packages a link depends on.
 */
export interface AssemblyContext {
  /** The model with this relation name. */
  model(name: string): IndexedModel | undefined;
  /** The source `system.name`. */
  source(key: string): IndexedSource | undefined;
  /** Relation names that record what is read (schemas do not matter while linking). */
  names: RelationNames;
  /** Every model's relation name and every source key, for suggestions in messages. */
  modelNames(): Iterable<string>;
  sourceKeys(): Iterable<string>;
  /** The packages read so far. */
  reads: Set<string>;
  /** The names refs asked for by name (their latest version can come from any package). */
  namesAsked: Set<string>;
}

export function assemblyContext(index: ProjectIndex): AssemblyContext {
  const reads = new Set<string>();
  const namesAsked = new Set<string>();
  const model = (name: string) => {
    const entry = index.modelsByName.get(name);
    if (entry) reads.add(entry.package);
    return entry;
  };
  return {
    model,
    source: (key) => {
      const entry = index.sourcesByKey.get(key);
      if (entry) reads.add(entry.package);
      return entry;
    },
    names: {
      modelSchema: (name) => (model(name) ? index.names.modelSchema(name) : undefined),
      resolveModel: (name, version) => {
        // a ref by name depends on every version of the name, wherever declared
        namesAsked.add(name);
        for (const owner of index.packagesOfName.get(name) ?? []) reads.add(owner);
        const resolved = index.names.resolveModel(name, version);
        if (resolved !== undefined) model(resolved);
        return resolved;
      },
      sourceSchema: index.names.sourceSchema,
    },
    modelNames: () => index.modelsByName.keys(),
    sourceKeys: () => index.sourcesByKey.keys(),
    reads,
    namesAsked,
  };
}
