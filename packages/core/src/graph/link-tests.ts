import { renderSql } from '../compile/render-model-sql.js';
import { ErrorCode, isWarehouseError, type Problem } from '../errors/warehouse-error.js';
import { isModel } from '../model/define-model.js';
import { isSource } from '../model/define-source.js';
import { collectTests, type DataTest } from '../quality/collect-tests.js';
import { checkAccess, type Reader } from './access-rules.js';
import type { AssemblyContext } from './assembly-context.js';
import { closestName } from './closest-name.js';
import { modelId, sourceId, testId, type TestNode, type WarehousePackage } from './project-graph.js';
import type { IndexedModel, IndexedSource } from './project-index.js';

/**
 * The data tests of a package's models and sources as graph nodes. Checks: known kinds and
 * columns, relationships to a model or source that exists and has the field (and that the
 * tested model's package may read, like a ref), custom SQL that renders, and names unique in
 * the package (the project checks them across packages).
 */
export function linkTests(pkg: WarehousePackage, context: AssemblyContext, problems: Problem[]): TestNode[] {
  const byName = new Map<string, TestNode>();
  {
    const subjects = [
      ...pkg.sources.map((s) => ({ id: sourceId(s.system, s.name), label: `source ${s.id}`, name: `source_${s.system}_${s.name}`, columns: s.columns, tests: s.tests, group: undefined })),
      ...pkg.models.map((m) => ({ id: modelId(m.relationName), label: `model ${m.relationName}`, name: m.relationName, columns: m.columns, tests: m.tests, group: m.group })),
    ];
    for (const subject of subjects) {
      const collected = collectTests(subject);
      problems.push(...collected.problems);
      const reader: Reader = { name: subject.name, package: pkg.name, group: subject.group, kind: 'test' };
      for (const test of collected.tests) {
        const node: TestNode = { type: 'test', id: testId(test.name), name: test.name, package: pkg.name, test, dependsOn: [subject.id] };
        const existing = byName.get(test.name);
        if (existing) {
          problems.push({ code: ErrorCode.duplicateModel, model: test.name, message: `test ${test.name} is declared twice: on ${existing.test.attachedTo} and on ${subject.id}; give one a name` });
          continue;
        }
        byName.set(test.name, node);
        if (test.kind === 'relationships') resolveRelationship(node, subject.label, reader, pkg, context, problems);
        if (test.kind === 'sql') resolveSqlTest(node, subject.label, reader, pkg, context, problems);
        node.dependsOn = [...new Set(node.dependsOn)];
      }
    }
  }
  return [...byName.values()];
}

function resolveRelationship(
  node: TestNode,
  label: string,
  reader: Reader,
  pkg: WarehousePackage,
  context: AssemblyContext,
  problems: Problem[],
): void {
  const { to, field } = node.test.params as { to: unknown; field: unknown };
  const problem = (message: string) => problems.push({ code: ErrorCode.testInvalid, model: node.name, message: `${label}: test ${node.name} ${message}` });
  let target: IndexedModel | IndexedSource | undefined;
  let columns: Record<string, unknown> | undefined;
  if (isSource(to)) {
    // the project's declaration of the source, not the object the test names (which may be a reference)
    const source = context.source(`${to.system}.${to.name}`);
    if (!source) {
      problem(`relates to source ${to.system}.${to.name}, which no package declares`);
      return;
    }
    target = source;
    columns = source.source.columns;
  } else {
    const name = isModel(to) ? to.relationName : typeof to === 'string' ? (context.names.resolveModel(to) ?? to) : undefined;
    const model = name === undefined ? undefined : context.model(name);
    if (model) {
      target = model;
      columns = model.model.columns;
      problems.push(...checkAccess(reader, model, pkg));
    } else if (name !== undefined) {
      const near = closestName(name, context.modelNames());
      problem(`relates to ${name}, which no package declares${near ? `; did you mean ${near}?` : ''}`);
      return;
    }
  }
  if (!target || !columns) {
    problem('needs `to`: a model, a model name or a source');
    return;
  }
  if (typeof field !== 'string' || !(field in columns)) {
    problem(`relates to column ${String(field)} of ${target.name}, which it does not have`);
    return;
  }
  node.dependsOn.push(target.id);
}

function resolveSqlTest(
  node: TestNode,
  label: string,
  reader: Reader,
  pkg: WarehousePackage,
  context: AssemblyContext,
  problems: Problem[],
): void {
  const body = node.test.params.sql;
  if (typeof body !== 'function') {
    problems.push({ code: ErrorCode.testInvalid, model: node.name, message: `${label}: test ${node.name} needs sql, a function returning the failing rows` });
    return;
  }
  try {
    const rendered = renderSql(`test ${node.name}`, undefined, body, 'test', context.names, 'discovery', { self: () => '"discovery"' });
    for (const name of rendered.missingRefs) {
      problems.push({ code: ErrorCode.missingModel, model: node.name, message: `${label}: test ${node.name} refs ${name}, which no package declares` });
    }
    for (const name of rendered.refs) {
      const target = context.model(name)!;
      problems.push(...checkAccess(reader, target, pkg));
      node.dependsOn.push(target.id);
    }
    for (const key of rendered.sources) {
      const target = context.source(key);
      if (target) node.dependsOn.push(target.id);
      else problems.push({ code: ErrorCode.missingSource, model: node.name, message: `${label}: test ${node.name} reads source ${key}, which no package declares` });
    }
  } catch (error) {
    if (!isWarehouseError(error)) throw error;
    problems.push({ code: error.code, model: node.name, message: error.message });
  }
}

export type { DataTest };
