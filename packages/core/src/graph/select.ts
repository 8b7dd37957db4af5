import { relative, sep } from 'node:path';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import { closestName } from './closest-name.js';
import { parseSelector, type Depth, type SelectorAtom } from './parse-selector.js';
import { testTypeOf } from '../quality/data-test-config.js';
import type { GraphNode, ProjectGraph } from './project-graph.js';

export interface SelectOptions {
  /** Selection criteria; everything when empty. */
  select?: readonly string[];
  exclude?: readonly string[];
  /** Project root, for `path:` criteria. */
  rootDir?: string;
}

/**
 * The model ids a selection picks, in dependency order. Throws a WarehouseError
 * (SELECTOR_INVALID) naming the criterion that is malformed or matches nothing.
 */
export function select(graph: ProjectGraph, options: SelectOptions = {}): string[] {
  return selectNodes(graph, options).models;
}

/**
 * The models and the data tests a selection picks: the tests attached to selected models and
 * sources, and tests picked directly (`test_type:`, `test_name:`), minus exclusions.
 */
export function selectNodes(graph: ProjectGraph, options: SelectOptions = {}): { models: string[]; tests: string[]; sources: string[] } {
  const everything = new Set(graph.nodes.keys());
  const chosen = options.select && options.select.length > 0 ? evaluate(graph, options.select, options) : everything;
  const excluded = options.exclude && options.exclude.length > 0 ? evaluate(graph, options.exclude, options) : new Set<string>();
  const models = graph.order.filter((id) => chosen.has(id) && !excluded.has(id));
  const tests: string[] = [];
  for (const node of graph.nodes.values()) {
    if (node.type !== 'test' || excluded.has(node.id) || excluded.has(node.test.attachedTo)) continue;
    if (chosen.has(node.id) || chosen.has(node.test.attachedTo)) tests.push(node.id);
  }
  const sources = [...graph.nodes.values()].filter((n) => n.type === 'source' && chosen.has(n.id) && !excluded.has(n.id)).map((n) => n.id).sort();
  return { models, tests: tests.sort(), sources };
}

function evaluate(graph: ProjectGraph, args: readonly string[], options: SelectOptions): Set<string> {
  const union = new Set<string>();
  for (const term of parseSelector(args)) {
    let intersection: Set<string> | undefined;
    for (const atom of term) {
      const matched = expand(graph, atom, matchAtom(graph, atom, options));
      intersection = intersection ? new Set([...intersection].filter((id) => matched.has(id))) : matched;
    }
    for (const id of intersection ?? []) union.add(id);
  }
  return union;
}

function matchAtom(graph: ProjectGraph, atom: SelectorAtom, options: SelectOptions): Set<string> {
  const matches = new Set<string>();
  const pattern = globPattern(atom.value);
  for (const node of graph.nodes.values()) if (atomMatches(node, atom, pattern, options)) matches.add(node.id);
  if (matches.size === 0) {
    let hint = '';
    if (atom.method === 'name') {
      const names = [...graph.nodes.values()].filter((n) => n.type === 'model').map((n) => n.name);
      const near = closestName(atom.value, names);
      if (near !== undefined) hint = ` (did you mean ${near}?)`;
    }
    throw new WarehouseError(ErrorCode.selectorInvalid, `selector "${atom.text}" matches nothing in the project${hint}`);
  }
  return matches;
}

function atomMatches(node: GraphNode, atom: SelectorAtom, pattern: RegExp, options: SelectOptions): boolean {
  if (atom.method === 'test_type' || atom.method === 'test_name') {
    if (node.type !== 'test') return false;
    return atom.method === 'test_type' ? testTypeOf(node.test.kind) === atom.value || node.test.kind === atom.value : pattern.test(node.name);
  }
  if (atom.method === 'source') {
    if (node.type !== 'source') return false;
    const { system, name, schema } = node.source;
    return pattern.test(system) || pattern.test(`${system}.${name}`) || pattern.test(`${schema}.${name}`);
  }
  if (node.type !== 'model') return false;
  const model = node.model;
  switch (atom.method) {
    case 'name':
      return pattern.test(model.name);
    case 'tag':
      return model.tags.some((t) => pattern.test(t));
    case 'domain':
      return pattern.test(model.domain);
    case 'package':
      return pattern.test(node.package) || pattern.test(node.package.replace(/^@[^/]+\//, ''));
    case 'access':
      return model.access === atom.value;
    case 'kind':
      return model.kind === atom.value;
    case 'config.materialized':
      return model.materialized === atom.value;
    case 'path': {
      const file = model.definedAt?.replace(/:\d+$/, '');
      if (!file) return false;
      const rel = (options.rootDir ? relative(options.rootDir, file) : file).split(sep).join('/');
      const wanted = atom.value.replace(/^\.\//, '').replace(/\/$/, '');
      return rel === wanted || rel.startsWith(`${wanted}/`) || pattern.test(rel);
    }
  }
}

function expand(graph: ProjectGraph, atom: SelectorAtom, seeds: Set<string>): Set<string> {
  const result = new Set(seeds);
  // tests are picked with what they test, not walked through
  const isTest = (id: string) => graph.nodes.get(id)?.type === 'test';
  const parentsOf = (id: string) => (isTest(id) ? [] : (graph.nodes.get(id)?.dependsOn ?? []));
  const childrenOf = (id: string) => (graph.children.get(id) ?? []).filter((c) => !isTest(c));
  if (atom.childrenWithParents) {
    const descendants = walk(seeds, childrenOf, 'all');
    for (const id of descendants) result.add(id);
    for (const id of walk(descendants, parentsOf, 'all')) result.add(id);
    return result;
  }
  if (atom.parents !== 0) for (const id of walk(seeds, parentsOf, atom.parents)) result.add(id);
  if (atom.children !== 0) for (const id of walk(seeds, childrenOf, atom.children)) result.add(id);
  return result;
}

/** Nodes reachable from `seeds` (included) within `depth` steps. */
function walk(seeds: Iterable<string>, next: (id: string) => readonly string[], depth: Depth): Set<string> {
  const seen = new Set(seeds);
  let frontier = [...seen];
  for (let step = 0; frontier.length > 0 && (depth === 'all' || step < depth); step++) {
    const following: string[] = [];
    for (const id of frontier) {
      for (const n of next(id)) {
        if (!seen.has(n)) {
          seen.add(n);
          following.push(n);
        }
      }
    }
    frontier = following;
  }
  return seen;
}

/** A `*`/`?` glob as an anchored regular expression; other characters match literally. */
function globPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
