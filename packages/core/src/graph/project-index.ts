import { domainSchema, modelResolver, sourceSchema } from '../compile/relation-names.js';
import type { RelationNames } from '../compile/render-model-sql.js';
import { ErrorCode, type Problem } from '../errors/warehouse-error.js';
import type { Access } from '../model/define-model.js';
import { findCycles } from './find-cycles.js';
import { modelId, sourceId } from './project-graph.js';

/** Columns as other packages see them: names and types (a relationships test names a field). */
export type InterfaceColumns = Readonly<Record<string, { readonly type: string; readonly nullable?: boolean }>>;

/** What other packages can see of a model: enough to resolve, check and render a read of it. */
export interface ModelInterface {
  readonly name: string;
  readonly relationName: string;
  readonly version?: number;
  readonly latest?: boolean;
  readonly domain: string;
  readonly access: Access;
  readonly group?: string;
  readonly deprecationDate?: string;
  readonly columns: InterfaceColumns;
  readonly definedAt?: string;
}

/** What other packages can see of a source. */
export interface SourceInterface {
  readonly system: string;
  readonly name: string;
  readonly id: string;
  readonly columns: InterfaceColumns;
  readonly definedAt?: string;
}

/** A package as the rest of the project sees it. A WarehousePackage is one. */
export interface PackageInterface {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly models: readonly ModelInterface[];
  readonly sources: readonly SourceInterface[];
}

export interface IndexedModel {
  id: string;
  /** The relation name. */
  name: string;
  package: string;
  model: ModelInterface;
}

export interface IndexedSource {
  id: string;
  /** `system.name` */
  name: string;
  package: string;
  source: SourceInterface;
}

/** Every name the project declares, and where. */
export interface ProjectIndex {
  packages: ReadonlyMap<string, PackageInterface>;
  modelsByName: ReadonlyMap<string, IndexedModel>;
  /** Sources by `system.name`. */
  sourcesByKey: ReadonlyMap<string, IndexedSource>;
  /** Relation names without a target prefix, to render with while linking. */
  names: RelationNames;
  /** The packages declaring a model of each name (all versions), for what a ref by name depends on. */
  packagesOfName: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Indexes every package's models and sources by name and checks what only the whole project
 * can tell: names declared twice, versions of one name that disagree, packages that depend on
 * each other in a circle. Problems are added to `problems`. `packagesOfName`, when the caller
 * has it (see packagesOfNames), is not worked out again.
 */
export function indexProject(packages: readonly PackageInterface[], problems: Problem[], packagesOfName?: ReadonlyMap<string, ReadonlySet<string>>): ProjectIndex {
  const modelsByName = new Map<string, IndexedModel>();
  const sourcesByKey = new Map<string, IndexedSource>();
  for (const pkg of packages) {
    for (const source of pkg.sources) {
      const key = `${source.system}.${source.name}`;
      const existing = sourcesByKey.get(key);
      if (existing) {
        if (existing.source !== source) {
          problems.push({ code: ErrorCode.duplicateModel, model: source.id, message: `source ${source.id} is declared twice: in ${existing.package} and in ${pkg.name}` });
        }
        continue;
      }
      sourcesByKey.set(key, { id: sourceId(source.system, source.name), name: key, package: pkg.name, source });
    }
  }
  for (const pkg of packages) {
    for (const model of pkg.models) {
      const existing = modelsByName.get(model.relationName);
      if (existing) {
        if (existing.model !== model) {
          const what = model.version === undefined ? `model ${model.name}` : `model ${model.name} version ${model.version}`;
          problems.push({
            code: ErrorCode.duplicateModel,
            model: model.relationName,
            message: `${what} is declared twice: in ${existing.package}${at(existing.model)} and in ${pkg.name}${at(model)}`,
          });
        }
        continue;
      }
      modelsByName.set(model.relationName, { id: modelId(model.relationName), name: model.relationName, package: pkg.name, model });
    }
  }
  problems.push(...packageCycles(packages));
  problems.push(...checkVersions([...modelsByName.values()]));
  const names: RelationNames = {
    modelSchema: (name) => {
      const entry = modelsByName.get(name);
      return entry ? domainSchema(entry.model.domain) : undefined;
    },
    resolveModel: modelResolver([...modelsByName.values()].map((n) => n.model)),
    sourceSchema,
  };
  return { packages: new Map(packages.map((p) => [p.name, p])), modelsByName, sourcesByKey, names, packagesOfName: packagesOfName ?? packagesOfNames(packages) };
}

/** For each model name (all versions), the packages that declare a model of it. */
export function packagesOfNames(packages: Iterable<{ readonly name: string; readonly models: readonly { readonly name: string }[] }>): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const pkg of packages) {
    for (const model of pkg.models) {
      const list = owners.get(model.name);
      if (list) list.add(pkg.name);
      else owners.set(model.name, new Set([pkg.name]));
    }
  }
  return owners;
}

/** Versions of one name: all versioned, distinct numbers, at most one marked latest. */
function checkVersions(models: IndexedModel[]): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map<string, IndexedModel[]>();
  for (const node of models) {
    const list = byName.get(node.model.name);
    if (list) list.push(node);
    else byName.set(node.model.name, [node]);
  }
  for (const [name, nodes] of byName) {
    if (nodes.length < 2 && nodes[0]!.model.version === undefined) continue;
    if (nodes.some((n) => n.model.version === undefined) && nodes.length > 1) {
      problems.push({ code: ErrorCode.modelInvalid, model: name, message: `model ${name} is declared both with and without a version; give every declaration a version` });
    }
    const latest = nodes.filter((n) => n.model.latest);
    if (latest.length > 1) {
      problems.push({ code: ErrorCode.modelInvalid, model: name, message: `model ${name} marks versions ${latest.map((n) => n.model.version).join(' and ')} as latest; only one can be` });
    }
  }
  return problems;
}

function packageCycles(packages: readonly PackageInterface[]): Problem[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  return findCycles(byName.keys(), (name) => byName.get(name)?.dependencies ?? []).map((cycle) => ({
    code: ErrorCode.packageCycle,
    model: cycle[0],
    message: `packages depend on each other in a cycle: ${cycle.join(' -> ')}`,
  }));
}

/** ` (file:line)` of a declaration, when known. */
export function at(definition: { definedAt?: string | undefined }): string {
  return definition.definedAt ? ` (${definition.definedAt})` : '';
}
