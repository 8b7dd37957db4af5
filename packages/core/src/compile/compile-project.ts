import { createHash } from 'node:crypto';
import { childMapText, entriesText, manifestEntries, manifestMetadata, manifestPackages, manifestPiecesOf } from '../artifacts/manifest.js';
import { contentHash, type CompiledFiles } from '../artifacts/write-artifacts.js';
import type { Problem } from '../errors/warehouse-error.js';
import { compiledModelFiles, compiledPathOf, compiledSelects } from '../execute/plan.js';
import { linkPackage, type LinkedPackage } from '../graph/link-package.js';
import { checkLinkedProject, type NodeSummary } from '../graph/project-checks.js';
import type { WarehousePackage } from '../graph/project-graph.js';
import { indexProject, packagesOfNames, type ModelInterface, type PackageInterface, type SourceInterface } from '../graph/project-index.js';
import { relationNamesOf, type SchemaNaming } from './relation-names.js';

/**
 * What compiling one package for a target produced, kept so that the next compile can reuse
 * it while nothing it depends on has changed: the package's own files (`key`), and the
 * declarations of the packages its links read (`reads`, by interface hash).
 */
export interface CompiledPackage {
  /** The caller's key for the package's files and the target; reused only under the same key. */
  key: string;
  /** The package as other packages see it, and a hash of that (locations left out). */
  interface: { models: ModelInterface[]; sources: SourceInterface[] };
  interfaceHash: string;
  /** The interface hash of each package the links read, this one's included. */
  reads: Record<string, string>;
  /** For each name the package referred to by name: the packages that declared a model of it. */
  names: Record<string, string[]>;
  /** Deprecation dates the links were judged against, and the day they were judged. */
  deprecationDates: string[];
  linkedOn: string;
  /**
   * Its sources, models and tests, as the project-wide checks need them: `[id, dependsOn]`, and
   * for a test the node it tests (kind and name follow from the id; tuples parse faster).
   */
  nodes: Array<[id: string, dependsOn: string[], attachedTo?: string]>;
  kpis: Array<{ name: string }>;
  /** A hash of `nodes` and `kpis`: all the project-wide checks read of the package. */
  shapeHash: string;
  warnings: Problem[];
  /** The compiled files of its models, with the hash of each one's content. */
  files: Record<string, string>;
  /** Its manifest entries, as manifest text. */
  manifest: string;
}

/** One package to compile. */
export interface CompileUnit {
  /** What the manifest says of the package; its definitions come from `definitions()`. */
  package: Pick<WarehousePackage, 'name' | 'version' | 'domain' | 'dependencies' | 'path'>;
  /** The key of the package's files for this target; without one nothing is reused. */
  key?: string;
  /** What the last compile produced for it. */
  previous?: CompiledPackage;
  /** The package's definitions, loaded only when the package must be linked again. */
  definitions(): WarehousePackage;
}

export interface CompileOptions extends SchemaNaming {
  targetName: string;
  rootDir: string;
  now?: Date;
  /** What target/compiled/ holds: a reused package's files must still be there. */
  compiledFiles: CompiledFiles;
  /** The project-wide checks of the last compile, reused when every package's shape is as it was. */
  checked?: ProjectChecks;
}

/**
 * What the project-wide checks of a compile that found no problem concluded, under the
 * signature of what they read (every package's shape, in order): an edit that leaves every
 * package's nodes and edges as they were (most edits change SQL, a description, a column)
 * is not checked again.
 */
export interface ProjectChecks {
  signature: string;
  /** Model ids in dependency order. */
  order: string[];
  /** The manifest's childMap, as manifest text. */
  childMap: string;
}

export interface CompileOutcome {
  /** Problems found; with any, nothing is to be written (assemble the graph for the full report). */
  problems: Problem[];
  warnings: Problem[];
  /** target/manifest.json's text. */
  readonly manifest: string;
  /** The same text in pieces, which writeManifest writes without joining them. */
  manifestPieces: readonly string[];
  /** Compiled files of the packages linked again (those reused are in place), staged on `compiledFiles`: commit them. */
  files: Array<readonly [string, string]>;
  /** Every model, in dependency order. */
  models: Array<{ id: string; name: string; package: string; compiledPath: string }>;
  /** Each package's part, new or reused, for the next compile; in the order given. */
  compiled: CompiledPackage[];
  /** Packages linked again (the others were reused). */
  linked: string[];
  /** The project-wide checks, for the next compile (with problems, none). */
  checked?: ProjectChecks;
}

/**
 * Compiles every model of a project for a target: the manifest and the compiled SQL, as
 * assembling the graph, planning and writing artifacts would, but reusing each package's
 * part of the last compile while neither its files nor the declarations it read have changed.
 * A warm compile of a large project after one edit links one package instead of all of them.
 * The project-wide checks (names, versions, cycles) always run, on every package's summary.
 */
export function compileProject(units: readonly CompileUnit[], options: CompileOptions): CompileOutcome {
  const now = options.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const problems: Problem[] = [];

  // 1. every package's interface: from its last compile when its files are unchanged
  const loaded = new Map<string, WarehousePackage>();
  const definitions = (unit: CompileUnit) => {
    let pkg = loaded.get(unit.package.name);
    if (!pkg) loaded.set(unit.package.name, (pkg = unit.definitions()));
    return pkg;
  };
  const sameFiles = (unit: CompileUnit) => unit.key !== undefined && unit.previous?.key === unit.key;
  const interfaces = new Map<string, { data: CompiledPackage['interface']; hash: string }>();
  for (const unit of units) {
    if (sameFiles(unit)) interfaces.set(unit.package.name, { data: unit.previous!.interface, hash: unit.previous!.interfaceHash });
    else interfaces.set(unit.package.name, withHash(interfaceOf(definitions(unit))));
  }
  const owners = packagesOfNames([...interfaces].map(([name, { data }]) => ({ name, models: data.models })));

  // 2. which packages' last links still hold
  const reusable = (unit: CompileUnit): boolean => {
    const previous = unit.previous;
    if (!previous || !sameFiles(unit)) return false;
    if (previous.deprecationDates.length > 0 && previous.linkedOn !== today) return false;
    for (const [name, hash] of Object.entries(previous.reads)) if (interfaces.get(name)?.hash !== hash) return false;
    for (const [name, declaredBy] of Object.entries(previous.names)) if (!sameMembers(owners.get(name), declaredBy)) return false;
    for (const [path, hash] of Object.entries(previous.files)) if (!options.compiledFiles.holds(path, hash)) return false;
    return true;
  };
  const reused = new Set(units.filter(reusable).map((u) => u.package.name));

  // 3. the project's names: packages to link again by their definitions, the others by their interfaces
  const index = indexProject(
    units.map((unit): PackageInterface =>
      reused.has(unit.package.name)
        ? { name: unit.package.name, dependencies: unit.package.dependencies, ...interfaces.get(unit.package.name)!.data }
        : definitions(unit),
    ),
    problems,
    owners,
  );

  // 4. link what must be, and check the whole
  const links = new Map<string, LinkedPackage>();
  for (const unit of units) if (!reused.has(unit.package.name)) links.set(unit.package.name, linkPackage(definitions(unit), index, { now }));
  const nodes: NodeSummary[] = [];
  const kpis: Array<{ name: string; package: string; kpi?: { definedAt?: string } }> = [];
  const shapes = new Map<string, { nodes: CompiledPackage['nodes']; kpis: CompiledPackage['kpis']; hash: string }>();
  for (const unit of units) {
    const link = links.get(unit.package.name);
    if (link) {
      problems.push(...link.problems);
      const own = [...link.sources, ...link.models, ...link.tests];
      nodes.push(...own);
      kpis.push(...link.kpis.map((k) => ({ name: k.name, package: k.package, kpi: { definedAt: k.kpi.definedAt } })));
      shapes.set(unit.package.name, shapeOf(own.map(compact), link.kpis.map((k) => ({ name: k.name }))));
    } else {
      for (const node of expanded(unit.previous!.nodes, unit.package.name)) nodes.push(node);
      kpis.push(...unit.previous!.kpis.map((k) => ({ name: k.name, package: unit.package.name })));
    }
  }
  const signature = createHash('sha256')
    .update(units.map((u) => `${u.package.name}\0${shapes.get(u.package.name)?.hash ?? u.previous!.shapeHash}`).join('\n'))
    .digest('hex');
  // the same shapes as when the last checks found nothing: they would find nothing again
  const known = problems.length === 0 && options.checked?.signature === signature ? options.checked : undefined;
  const checked = known ? undefined : checkLinkedProject(nodes, kpis, problems);
  const warnings = units.flatMap((u) => links.get(u.package.name)?.warnings ?? u.previous!.warnings);
  if (problems.length > 0) return { problems, warnings, manifest: '', manifestPieces: [], files: [], models: [], compiled: [], linked: [...links.keys()] };

  // 5. the new parts: manifest entries and compiled files of what was linked
  const manifestOptions = { target: options.targetName, schemaPrefix: options.schemaPrefix ?? '', rootDir: options.rootDir, now };
  const targetNames = relationNamesOf(index.modelsByName.values(), options);
  const files: Array<readonly [string, string]> = [];
  const compiled = units.map((unit): CompiledPackage => {
    const link = links.get(unit.package.name);
    if (!link) return unit.previous!;
    const own: Array<readonly [string, string]> = [];
    for (const node of link.models) own.push(...compiledModelFiles(node, compiledSelects(node, targetNames, options)));
    files.push(...own);
    // written as each package's part is made; the caller commits the index
    options.compiledFiles.stage(own);
    const { data, hash } = interfaces.get(unit.package.name)!;
    return {
      key: unit.key ?? '',
      interface: data,
      interfaceHash: hash,
      reads: Object.fromEntries(link.reads.map((name) => [name, interfaces.get(name)?.hash ?? ''])),
      names: Object.fromEntries(link.names.map((name) => [name, [...(owners.get(name) ?? [])].sort()])),
      deprecationDates: link.deprecationDates,
      linkedOn: today,
      nodes: shapes.get(unit.package.name)!.nodes,
      kpis: shapes.get(unit.package.name)!.kpis,
      shapeHash: shapes.get(unit.package.name)!.hash,
      warnings: link.warnings,
      files: Object.fromEntries(own.map(([path, content]) => [path, contentHash(content)])),
      manifest: entriesText(manifestEntries([...link.sources, ...link.models, ...link.tests], index.names, manifestOptions)),
    };
  });

  // 6. the manifest from every package's block, packages by name and nodes by id, as buildManifest lists them
  const byName = [...units.keys()].sort((a, b) => compare(units[a]!.package.name, units[b]!.package.name));
  let projectChecks = known;
  if (!projectChecks) {
    const childMap: Record<string, string[]> = {};
    for (const i of byName) {
      for (const id of compiled[i]!.nodes.map((n) => n[0]).sort(compare)) childMap[id] = [...(checked!.children.get(id) ?? [])];
    }
    projectChecks = { signature, order: checked!.order, childMap: childMapText(childMap) };
  }
  const manifestPieces = manifestPiecesOf({
    metadata: manifestMetadata(manifestOptions),
    packages: manifestPackages(units.map((u) => u.package)),
    blocks: byName.map((i) => compiled[i]!.manifest),
    childMap: projectChecks.childMap,
  });
  const summaries = new Map(nodes.map((n) => [n.id, n]));
  const models = projectChecks.order.map((id) => {
    const node = summaries.get(id)!;
    return { id, name: node.name, package: node.package, compiledPath: compiledPathOf(node) };
  });
  let manifest: string | undefined;
  return {
    problems,
    warnings,
    // joined only when asked for: a compile writes the pieces
    get manifest() {
      return (manifest ??= manifestPieces.join(''));
    },
    manifestPieces,
    files,
    models,
    compiled,
    linked: [...links.keys()],
    checked: projectChecks,
  };
}

/** A package's nodes and KPI names as the project-wide checks read them, with their hash. */
function shapeOf(nodes: CompiledPackage['nodes'], kpis: CompiledPackage['kpis']): { nodes: CompiledPackage['nodes']; kpis: CompiledPackage['kpis']; hash: string } {
  return { nodes, kpis, hash: createHash('sha256').update(JSON.stringify([nodes, kpis])).digest('hex') };
}

/**
 * A package as other packages see it, as data. Where declarations sit is left out: it only
 * shapes messages, and a compile that finds a problem reports it from the full assembly.
 */
export function interfaceOf(pkg: WarehousePackage): CompiledPackage['interface'] {
  const columns = (specs: Record<string, { type: string; nullable?: boolean }>) =>
    Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, spec.nullable === undefined ? { type: spec.type } : { type: spec.type, nullable: spec.nullable }]));
  return {
    models: pkg.models.map((m) => {
      const model: { -readonly [K in keyof ModelInterface]: ModelInterface[K] } = { name: m.name, relationName: m.relationName, domain: m.domain, access: m.access, columns: columns(m.columns) };
      if (m.version !== undefined) model.version = m.version;
      if (m.latest !== undefined) model.latest = m.latest;
      if (m.group !== undefined) model.group = m.group;
      if (m.deprecationDate !== undefined) model.deprecationDate = m.deprecationDate;
      return model;
    }),
    sources: pkg.sources.map((s) => ({ system: s.system, name: s.name, id: s.id, columns: columns(s.columns) })),
  };
}

function withHash(data: CompiledPackage['interface']): { data: CompiledPackage['interface']; hash: string } {
  return { data, hash: createHash('sha256').update(JSON.stringify(data)).digest('hex') };
}

const compact = (node: NodeSummary): CompiledPackage['nodes'][number] =>
  node.test ? [node.id, [...node.dependsOn], node.test.attachedTo] : [node.id, [...node.dependsOn]];

/**
 * A reused part's nodes as summaries, made once per part: a process that compiles again and
 * again (the compile server) keeps the parts it read, so the 99 unchanged packages of a warm
 * compile are not expanded again.
 */
const expandedParts = new WeakMap<CompiledPackage['nodes'], NodeSummary[]>();
function expanded(nodes: CompiledPackage['nodes'], pkg: string): NodeSummary[] {
  let summaries = expandedParts.get(nodes);
  if (!summaries || summaries[0]?.package !== pkg) expandedParts.set(nodes, (summaries = nodes.map((node) => expand(node, pkg))));
  return summaries;
}

/** A kept node back as a summary: `model.<name>`, `source.<system>.<name>`, `test.<name>`. */
function expand([id, dependsOn, attachedTo]: CompiledPackage['nodes'][number], pkg: string): NodeSummary {
  const dot = id.indexOf('.');
  const type = id.slice(0, dot) as NodeSummary['type'];
  return { type, id, name: id.slice(dot + 1), package: pkg, dependsOn, ...(attachedTo === undefined ? {} : { test: { attachedTo } }) };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sameMembers(current: ReadonlySet<string> | undefined, before: readonly string[]): boolean {
  // most names are declared once: no array to sort
  if (before.length === 1) return current?.size === 1 && current.has(before[0]!);
  const now = [...(current ?? [])].sort();
  return now.length === before.length && now.every((name, i) => name === before[i]);
}
