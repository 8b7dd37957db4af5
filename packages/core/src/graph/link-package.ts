import { renderModelSql } from '../compile/render-model-sql.js';
import { ErrorCode, isWarehouseError, type Problem } from '../errors/warehouse-error.js';
import { checkAccess } from './access-rules.js';
import { assemblyContext, type AssemblyContext } from './assembly-context.js';
import { closestName } from './closest-name.js';
import { linkKpis } from './link-kpis.js';
import { linkTests } from './link-tests.js';
import type { KpiNode, ModelNode, SourceNode, TestNode, WarehousePackage } from './project-graph.js';
import { at, type IndexedModel, type ProjectIndex } from './project-index.js';
import { validateModelDefinition, validateSourceDefinition } from './validate-definitions.js';

/** One package's definitions, checked and linked to what they read. */
export interface LinkedPackage {
  name: string;
  models: ModelNode[];
  sources: SourceNode[];
  tests: TestNode[];
  kpis: KpiNode[];
  problems: Problem[];
  /** Findings that do not stop a build, such as refs to deprecated model versions. */
  warnings: Problem[];
  /** The packages whose declarations the links read (this one included): what a cached link depends on. */
  reads: string[];
  /** The deprecation dates the links were judged against: the verdict changes with the day. */
  deprecationDates: string[];
  /** The names refs asked for by name: a new version of one, wherever declared, changes the link. */
  names: string[];
}

/**
 * Checks a package's declarations and links them against the project: each model's body is
 * rendered (once per value of isIncremental(), so refs made in only one branch are edges too),
 * its refs and sources resolved and checked for existence, declared dependencies, access and
 * deprecation; its tests and KPIs likewise. Depends on the rest of the project only through
 * the index, and says which packages' declarations it read.
 */
export function linkPackage(pkg: WarehousePackage, index: ProjectIndex, options: { now: Date }): LinkedPackage {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const deprecationDates = new Set<string>();
  const context = assemblyContext(index);
  context.reads.add(pkg.name);

  const sources: SourceNode[] = [];
  for (const source of pkg.sources) {
    problems.push(...validateSourceDefinition(source));
    const entry = index.sourcesByKey.get(`${source.system}.${source.name}`);
    // a source declared twice is reported by the index; the first declaration is the node
    if (entry?.source === source) sources.push({ type: 'source', id: entry.id, name: entry.name, package: pkg.name, source, dependsOn: [] });
  }

  const models: ModelNode[] = [];
  for (const model of pkg.models) {
    problems.push(...validateModelDefinition(model, pkg.domain));
    const entry = index.modelsByName.get(model.relationName);
    if (entry?.model !== model) continue; // declared twice: reported by the index
    const node: ModelNode = { type: 'model', id: entry.id, name: entry.name, package: pkg.name, model, dependsOn: [] };
    models.push(node);
    linkModel(node, pkg, context, problems, warnings, deprecationDates, options.now);
  }

  const tests = linkTests(pkg, context, problems);
  const kpis = [...linkKpis(pkg, context, problems).values()];
  return { name: pkg.name, models, sources, tests, kpis, problems, warnings, reads: [...context.reads].sort(), deprecationDates: [...deprecationDates].sort(), names: [...context.namesAsked].sort() };
}

function linkModel(
  node: ModelNode,
  pkg: WarehousePackage,
  context: AssemblyContext,
  problems: Problem[],
  warnings: Problem[],
  deprecationDates: Set<string>,
  now: Date,
): void {
  const refs = new Set<string>();
  const sources = new Set<string>();
  const missing = new Set<string>();
  // Schemas without a target prefix: the SQL rendered here is the target-independent SQL the
  // manifest's checksums are computed on, kept on the node so it is not rendered again.
  const discovery = { targetName: 'discovery', incremental: false };
  try {
    const full = renderModelSql(node.model, context.names, discovery);
    // a body that never asks isIncremental() renders the same SQL either way: render it once
    const renders = full.askedIncremental ? [full, renderModelSql(node.model, context.names, { ...discovery, incremental: true })] : [full];
    for (const rendered of renders) {
      rendered.refs.forEach((r) => refs.add(r));
      rendered.sources.forEach((s) => sources.add(s));
      rendered.missingRefs.forEach((m) => missing.add(m));
    }
    if (missing.size === 0 && !full.usedTarget) node.neutralSql = full.sql;
    const snapshot = node.model.snapshot;
    const partial = () => (renders[1] ?? renderModelSql(node.model, context.names, { ...discovery, incremental: true })).askedIncremental;
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
    return;
  }
  for (const name of [...missing].sort()) {
    problems.push({
      code: ErrorCode.missingModel,
      model: node.name,
      message: `model ${node.name}${at(node.model)} refs ${name}, which no package declares${suggest(name, context.modelNames())}`,
    });
  }
  for (const name of [...refs].sort()) {
    const target = context.model(name)!;
    if (target.name === node.name) continue; // a model reading its own previous version (incremental) is not an edge
    problems.push(...checkAccess({ name: node.name, package: node.package, group: node.model.group, kind: 'model' }, target, pkg));
    const deprecation = checkDeprecation(node, target, now);
    if (target.model.deprecationDate) deprecationDates.add(target.model.deprecationDate);
    if (deprecation?.severity === 'error') problems.push(deprecation.problem);
    else if (deprecation) warnings.push(deprecation.problem);
    node.dependsOn.push(target.id);
  }
  for (const key of [...sources].sort()) {
    const target = context.source(key);
    if (!target) {
      problems.push({
        code: ErrorCode.missingSource,
        model: node.name,
        message: `model ${node.name}${at(node.model)} reads source ${key}, which no package declares${suggest(key, context.sourceKeys())}`,
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

/** A ref to a version with a deprecation date: a warning until the date, an error after it. */
function checkDeprecation(from: ModelNode, to: IndexedModel, now: Date): { severity: 'warn' | 'error'; problem: Problem } | undefined {
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

/** ", did you mean x?" for the closest known name, when one is close. */
function suggest(name: string, known: Iterable<string>): string {
  const near = closestName(name, known);
  return near === undefined ? '' : `; did you mean ${near}?`;
}
