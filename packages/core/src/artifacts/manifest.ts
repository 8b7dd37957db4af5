import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { canonicalPgType } from '../model/column-types.js';
import { isModel } from '../model/define-model.js';
import { isSource } from '../model/define-source.js';
import { testTypeOf } from '../quality/data-test-config.js';
import { relationNamesFor, domainSchema, type SchemaNaming } from '../compile/relation-names.js';
import { renderModelSql } from '../compile/render-model-sql.js';
import { compiledPathOf } from '../execute/plan.js';
import type { GraphNode, ProjectGraph, WarehousePackage } from '../graph/project-graph.js';
import type { RelationNames } from '../compile/render-model-sql.js';

export const MANIFEST_SCHEMA_VERSION = 1;

export interface ManifestColumn {
  type: string;
  nullable: boolean;
  description?: string;
}

export interface ManifestModel {
  type: 'model';
  name: string;
  package: string;
  domain: string;
  schema: string;
  kind: string;
  materialized: string;
  access: string;
  group?: string;
  version?: number;
  /** The model's name without the version suffix. */
  baseName?: string;
  latest?: boolean;
  deprecationDate?: string;
  tags: string[];
  owner: string;
  description: string;
  grain: string[];
  contract: { enforced: boolean; columns: Record<string, ManifestColumn> };
  dependsOn: string[];
  /** The declaration, relative to the project root. */
  definedAt?: string;
  compiledPath: string;
  /** sha256 of everything that changes what the model builds: its SQL (target-independent) and config. */
  checksum: string;
}

export interface ManifestSource {
  type: 'source';
  name: string;
  system: string;
  schema: string;
  package: string;
  description: string;
  loadedAt: string;
  primaryKey: string[];
  freshness?: unknown;
  columns: Record<string, ManifestColumn>;
  definedAt?: string;
}

export interface ManifestTest {
  type: 'test';
  name: string;
  package: string;
  kind: string;
  testType: 'generic' | 'singular';
  attachedTo: string;
  column?: string;
  severity: 'warn' | 'error';
  description?: string;
  params: Record<string, unknown>;
  dependsOn: string[];
}

/** One entry of the manifest's `nodes`. */
export type ManifestNode = ManifestModel | ManifestSource | ManifestTest;

export interface Manifest {
  metadata: { schemaVersion: number; generatedAt: string; target: string; schemaPrefix: string };
  packages: Record<string, { version: string; domain?: string; dependencies: string[]; path?: string }>;
  nodes: Record<string, ManifestNode>;
  /** Node id -> ids of the nodes that read it. */
  childMap: Record<string, string[]>;
}

export interface ManifestOptions extends SchemaNaming {
  target: string;
  rootDir: string;
  now?: Date;
}

/** The manifest of a graph: every package, node, contract and edge, with checksums. */
export function buildManifest(graph: ProjectGraph, options: ManifestOptions): Manifest {
  const neutralNames = relationNamesFor(graph, {});
  const byPackage = new Map<string, GraphNode[]>();
  for (const node of graph.nodes.values()) {
    const list = byPackage.get(node.package);
    if (list) list.push(node);
    else byPackage.set(node.package, [node]);
  }
  const nodes: Manifest['nodes'] = {};
  for (const name of [...byPackage.keys()].sort()) {
    for (const [id, entry] of manifestEntries(byPackage.get(name)!, neutralNames, options)) nodes[id] = entry;
  }
  const childMap: Record<string, string[]> = {};
  for (const id of Object.keys(nodes)) childMap[id] = [...(graph.children.get(id) ?? [])];
  return { metadata: manifestMetadata(options), packages: manifestPackages(graph.packages.values()), nodes, childMap };
}

/** The manifest's metadata. */
export function manifestMetadata(options: ManifestOptions): Manifest['metadata'] {
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    generatedAt: (options.now ?? new Date()).toISOString(),
    target: options.target,
    schemaPrefix: options.schemaPrefix ?? '',
  };
}

/** The manifest's packages, by name. */
export function manifestPackages(packages: Iterable<Pick<WarehousePackage, 'name' | 'version' | 'domain' | 'dependencies' | 'path'>>): Manifest['packages'] {
  const sorted = [...packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const result: Manifest['packages'] = {};
  for (const p of sorted) {
    result[p.name] = {
      version: p.version,
      ...(p.domain ? { domain: p.domain } : {}),
      dependencies: [...p.dependencies].sort(),
      ...(p.path ? { path: p.path } : {}),
    };
  }
  return result;
}

/**
 * The manifest entries of one package's nodes, in id order. The manifest lists packages by
 * name and each package's nodes this way, so a package's entries are a block of their own,
 * which the compile cache keeps as text.
 */
export function manifestEntries(nodes: readonly GraphNode[], neutralNames: RelationNames, options: ManifestOptions): Array<[string, ManifestNode]> {
  const inRoot = options.rootDir.endsWith(sep) ? options.rootDir : `${options.rootDir}${sep}`;
  const where = (definedAt: string | undefined) =>
    definedAt === undefined
      ? undefined
      : (definedAt.startsWith(inRoot) && sep === '/' ? definedAt.slice(inRoot.length) : relative(options.rootDir, definedAt).split(sep).join('/'));
  const columnsOf = (columns: Record<string, { type: string; nullable?: boolean; description?: string }>) => {
    const result: Record<string, ManifestColumn> = {};
    for (const name of Object.keys(columns)) {
      const spec = columns[name]!;
      const column: ManifestColumn = { type: canonicalPgType(spec.type) ?? spec.type, nullable: spec.nullable !== false };
      if (spec.description) column.description = spec.description;
      result[name] = column;
    }
    return result;
  };

  const entries: Array<[string, ManifestNode]> = [];
  for (const node of [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const id = node.id;
    if (node.type === 'source') {
      const s = node.source;
      entries.push([id, {
        type: 'source',
        name: s.name,
        system: s.system,
        schema: s.schema,
        package: node.package,
        description: s.description,
        loadedAt: s.loadedAt,
        primaryKey: [...s.primaryKey],
        ...(s.freshness ? { freshness: s.freshness } : {}),
        columns: columnsOf(s.columns),
        ...(s.definedAt ? { definedAt: where(s.definedAt)! } : {}),
      }]);
      continue;
    }
    if (node.type === 'test') {
      const t = node.test;
      entries.push([id, {
        type: 'test',
        name: t.name,
        package: node.package,
        kind: t.kind,
        testType: testTypeOf(t.kind),
        attachedTo: t.attachedTo,
        ...(t.column ? { column: t.column } : {}),
        severity: t.options.severity ?? 'error',
        ...(t.options.description ? { description: t.options.description } : {}),
        params: Object.fromEntries(
          Object.entries(t.params).map(([k, v]) => [k, typeof v === 'function' ? 'custom sql' : isModel(v) || isSource(v) ? (v as { name: string }).name : v]),
        ),
        dependsOn: [...node.dependsOn],
      }]);
      continue;
    }
    const m = node.model;
    const neutralSql = node.neutralSql ?? renderModelSql(m, neutralNames, { targetName: 'manifest', incremental: false }).sql;
    const columns = columnsOf(m.columns);
    const config = { materialized: m.materialized, grain: m.grain, contract: m.contract, columns };
    // properties set in the order the manifest lists them (no spreads: this runs for every model)
    const entry = { type: 'model', name: m.relationName, package: node.package, domain: m.domain, schema: domainSchema(m.domain, options) } as ManifestModel;
    entry.kind = m.kind;
    entry.materialized = m.materialized;
    entry.access = m.access;
    if (m.group) entry.group = m.group;
    if (m.version !== undefined) {
      entry.version = m.version;
      entry.baseName = m.name;
    }
    if (m.latest) entry.latest = true;
    if (m.deprecationDate) entry.deprecationDate = m.deprecationDate;
    entry.tags = [...m.tags];
    entry.owner = m.owner;
    entry.description = m.description;
    entry.grain = [...m.grain];
    entry.contract = { enforced: m.contract.enforced, columns };
    entry.dependsOn = [...node.dependsOn];
    const definedAt = m.definedAt;
    if (definedAt) entry.definedAt = where(definedAt)!;
    entry.compiledPath = compiledPathOf(node);
    entry.checksum = createHash('sha256').update(neutralSql).update(JSON.stringify(config)).digest('hex');
    entries.push([id, entry]);
  }

  return entries;
}

/**
 * target/manifest.json's text: compact JSON and a newline, as dbt writes its manifest. It is
 * read by tools (`jq` shows it indented); printing 10,000 entries with indentation took a
 * tenth of a second of every compile.
 */
export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest)}\n`;
}

/** The text of a block of manifest entries, as it stands inside the manifest's `nodes`. */
export function entriesText(entries: ReadonlyArray<readonly [string, ManifestNode]>): string {
  return entries.map(([id, entry]) => `${JSON.stringify(id)}:${JSON.stringify(entry)}`).join(',');
}

/**
 * The manifest's text from its parts, with `nodes` given as blocks of entry text (see
 * {@link entriesText}), in order, and the childMap as {@link childMapText}: the same text as
 * {@link manifestText} of the whole, without building or parsing the whole. As pieces, which
 * joined are that text: the blocks stand as they were given, so a writer can keep what it
 * encoded of an unchanged block (see writeManifest) instead of joining and encoding megabytes.
 */
export function manifestPiecesOf(parts: { metadata: Manifest['metadata']; packages: Manifest['packages']; blocks: readonly string[]; childMap: string }): string[] {
  const pieces = [`{"metadata":${JSON.stringify(parts.metadata)},"packages":${JSON.stringify(parts.packages)},"nodes":{`];
  for (const block of parts.blocks) {
    if (block === '') continue;
    if (pieces.length > 1) pieces.push(',');
    pieces.push(block);
  }
  pieces.push('},"childMap":', parts.childMap, '}\n');
  return pieces;
}

/** The manifest's childMap as it stands in the manifest's text. */
export const childMapText = (childMap: Manifest['childMap']): string => JSON.stringify(childMap);

