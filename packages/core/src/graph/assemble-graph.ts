import { renderModelSql } from '../compile/render-model-sql.js';
import { ErrorCode, WarehouseError, isWarehouseError, type Problem } from '../errors/warehouse-error.js';
import type { AnyModel } from '../model/define-model.js';
import { checkAccess } from './access-rules.js';
import { assembleKpis } from './assemble-kpis.js';
import { assembleTests } from './assemble-tests.js';
import { closestName } from './closest-name.js';
import { domainSchema, modelResolver, sourceSchema } from '../compile/relation-names.js';
import { findCycles } from './find-cycles.js';
import {
  modelId,
  sourceId,
  type GraphNode,
  type ModelNode,
  type ProjectGraph,
  type SourceNode,
  type WarehousePackage,
} from './project-graph.js';
import { topologicalOrder } from './topological-order.js';
import { validateModelDefinition, validateSourceDefinition } from './validate-definitions.js';

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
 */
export function assembleGraph(packages: readonly WarehousePackage[], options: AssembleOptions = {}): AssembledGraph {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const packagesByName = new Map(packages.map((p) => [p.name, p]));
  const nodes = new Map<string, GraphNode>();
  const modelsByName = new Map<string, ModelNode>();
  const sourcesByKey = new Map<string, SourceNode>(); // key: system.name

  for (const pkg of packages) {
    for (const source of pkg.sources) {
      problems.push(...validateSourceDefinition(source));
      const key = `${source.system}.${source.name}`;
      const existing = sourcesByKey.get(key);
      if (existing) {
        if (existing.source !== source) {
          problems.push({
            code: ErrorCode.duplicateModel,
            model: source.id,
            message: `source ${source.id} is declared twice: in ${existing.package} and in ${pkg.name}`,
          });
        }
        continue;
      }
      const node: SourceNode = { type: 'source', id: sourceId(source.system, source.name), name: key, package: pkg.name, source, dependsOn: [] };
      sourcesByKey.set(key, node);
      nodes.set(node.id, node);
    }
  }

  for (const pkg of packages) {
    for (const model of pkg.models) {
      problems.push(...validateModelDefinition(model, pkg.domain));
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
      const node: ModelNode = { type: 'model', id: modelId(model.relationName), name: model.relationName, package: pkg.name, model, dependsOn: [] };
      modelsByName.set(model.relationName, node);
      nodes.set(node.id, node);
    }
  }

  problems.push(...packageCycles(packages));
  problems.push(...checkVersions([...modelsByName.values()]));

  // Edges: render every body once per value of isIncremental(), so refs made in only one
  // branch are edges too. Schemas do not matter here, only which relations are read.
  // Schemas without a target prefix: the SQL rendered here is the target-independent SQL the
  // manifest's checksums are computed on, kept on the node so it is not rendered again.
  const discoveryNames = {
    modelSchema: (name: string) => {
      const node = modelsByName.get(name);
      return node ? domainSchema(node.model.domain) : undefined;
    },
    resolveModel: modelResolver([...modelsByName.values()].map((n) => n.model)),
    sourceSchema,
  };
  for (const node of modelsByName.values()) {
    const refs = new Set<string>();
    const sources = new Set<string>();
    const missing = new Set<string>();
    try {
      const full = renderModelSql(node.model, discoveryNames, { targetName: 'discovery', incremental: false });
      // a body that never asks isIncremental() renders the same SQL either way: render it once
      const renders = full.askedIncremental ? [full, renderModelSql(node.model, discoveryNames, { targetName: 'discovery', incremental: true })] : [full];
      for (const rendered of renders) {
        rendered.refs.forEach((r) => refs.add(r));
        rendered.sources.forEach((s) => sources.add(s));
        rendered.missingRefs.forEach((m) => missing.add(m));
      }
      if (missing.size === 0 && !full.usedTarget) node.neutralSql = full.sql;
      const snapshot = node.model.snapshot;
      const partial = () => (renders[1] ?? renderModelSql(node.model, discoveryNames, { targetName: 'discovery', incremental: true })).askedIncremental;
      if (node.model.materialized === 'snapshot' && (snapshot?.hardDeletes ?? 'invalidate') === 'invalidate' && partial()) {
        problems.push({
          code: ErrorCode.modelInvalid,
          model: node.name,
          message: `model ${node.name}${at(node.model)}: its snapshot query reads only what changed (isIncremental/selfMax), so an entity missing from it is not deleted; set snapshot.hardDeletes: 'ignore' and deliver deletions through snapshot.deletedFlag`,
        });
      }
    } catch (error) {
      if (!isWarehouseError(error)) throw error;
      problems.push({ code: error.code, model: node.name, message: error.message });
      continue;
    }
    const pkg = packagesByName.get(node.package)!;
    for (const name of [...missing].sort()) {
      problems.push({
        code: ErrorCode.missingModel,
        model: node.name,
        message: `model ${node.name}${at(node.model)} refs ${name}, which no package declares${suggest(name, modelsByName.keys())}`,
      });
    }
    for (const name of [...refs].sort()) {
      const target = modelsByName.get(name)!;
      if (target === node) continue; // a model reading its own previous version (incremental) is not an edge
      problems.push(...checkRef(node, target, pkg));
      const deprecation = checkDeprecation(node, target, options.now ?? new Date());
      if (deprecation?.severity === 'error') problems.push(deprecation.problem);
      else if (deprecation) warnings.push(deprecation.problem);
      node.dependsOn.push(target.id);
    }
    for (const key of [...sources].sort()) {
      const target = sourcesByKey.get(key);
      if (!target) {
        problems.push({
          code: ErrorCode.missingSource,
          model: node.name,
          message: `model ${node.name}${at(node.model)} reads source ${key}, which no package declares${suggest(key, sourcesByKey.keys())}`,
        });
        continue;
      }
      if (target.package !== pkg.name && !pkg.dependencies.includes(target.package)) {
        problems.push({
          code: ErrorCode.undeclaredDependency,
          model: node.name,
          message: `model ${node.name} (${pkg.name}) reads source ${key} of ${target.package}, which is not in the dependencies of ${pkg.name}'s package.json`,
        });
      }
      node.dependsOn.push(target.id);
    }
    node.dependsOn.sort();
  }

  const kpis = assembleKpis(packages, { modelsByName, sourcesByKey, names: discoveryNames }, problems);
  const tests = assembleTests(packages, { modelsByName, sourcesByKey, names: discoveryNames }, problems);
  for (const test of tests) nodes.set(test.id, test);

  const modelIds = [...modelsByName.values()].map((n) => n.id);
  const dependsOn = (id: string) => nodes.get(id)?.dependsOn ?? [];
  for (const cycle of findCycles(modelIds, dependsOn)) {
    const names = cycle.map((id) => nodes.get(id)!.name);
    problems.push({
      code: ErrorCode.modelCycle,
      model: names[0],
      message: `models form a cycle: ${names.join(' -> ')}`,
    });
  }

  const children = new Map<string, string[]>();
  for (const node of nodes.values()) {
    for (const parent of node.dependsOn) {
      const list = children.get(parent);
      if (list) list.push(node.id);
      else children.set(parent, [node.id]);
    }
  }
  for (const list of children.values()) list.sort();

  return {
    graph: { packages: packagesByName, nodes, children, order: topologicalOrder(modelIds, dependsOn), kpis, warnings },
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

function checkRef(from: ModelNode, to: ModelNode, fromPackage: WarehousePackage): Problem[] {
  return checkAccess({ name: from.name, package: from.package, group: from.model.group, kind: 'model' }, to, fromPackage);
}

/** Versions of one name: all versioned, distinct numbers, at most one marked latest. */
function checkVersions(models: ModelNode[]): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map<string, ModelNode[]>();
  for (const node of models) byName.set(node.model.name, [...(byName.get(node.model.name) ?? []), node]);
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

/** A ref to a version with a deprecation date: a warning until the date, an error after it. */
function checkDeprecation(from: ModelNode, to: ModelNode, now: Date): { severity: 'warn' | 'error'; problem: Problem } | undefined {
  const date = to.model.deprecationDate;
  if (!date || from.model.name === to.model.name) return undefined;
  const version = to.model.version === undefined ? to.model.name : `${to.model.name} v${to.model.version}`;
  const expired = now.toISOString().slice(0, 10) > date;
  return {
    severity: expired ? 'error' : 'warn',
    problem: {
      code: ErrorCode.deprecatedModel,
      model: from.name,
      message: expired
        ? `model ${from.name} refs ${version}, deprecated since ${date}; move it to the latest version`
        : `model ${from.name} refs ${version}, which is deprecated and goes away on ${date}; move it to the latest version`,
    },
  };
}

function packageCycles(packages: readonly WarehousePackage[]): Problem[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  return findCycles(byName.keys(), (name) => byName.get(name)?.dependencies ?? []).map((cycle) => ({
    code: ErrorCode.packageCycle,
    model: cycle[0],
    message: `packages depend on each other in a cycle: ${cycle.join(' -> ')}`,
  }));
}

function at(model: AnyModel): string {
  return model.definedAt ? ` (${model.definedAt})` : '';
}

/** ", did you mean x?" for the closest known name, when one is close. */
function suggest(name: string, known: Iterable<string>): string {
  const near = closestName(name, known);
  return near === undefined ? '' : `; did you mean ${near}?`;
}
