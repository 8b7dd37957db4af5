import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dimProduct, factOrders, ordersByProduct, rawOrders, rawProducts, stgProductNames, tinyPackages } from '../../test/fixtures/tiny-project.js';
import { buildManifest, manifestText } from '../artifacts/manifest.js';
import { openCompiledFiles } from '../artifacts/write-artifacts.js';
import { compiledModelFiles, plan } from '../execute/plan.js';
import { buildGraph } from '../graph/assemble-graph.js';
import type { WarehousePackage } from '../graph/project-graph.js';
import { defineModel } from '../model/define-model.js';
import { compileProject, type CompiledPackage, type CompileOutcome, type ProjectChecks } from './compile-project.js';

const now = new Date('2026-06-01T12:00:00Z');
const naming = { targetName: 'ci', schemaPrefix: 'ci_' };
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A project root of its own, for target/compiled/. */
function projectDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wh-compile-'));
  dirs.push(dir);
  return dir;
}

/** What the full path writes: the graph's manifest and every model's compiled files. */
function fullCompile(packages: WarehousePackage[], rootDir: string) {
  const graph = buildGraph(packages, { now });
  const planned = plan(graph, graph.order, naming);
  return {
    manifest: manifestText(buildManifest(graph, { target: naming.targetName, schemaPrefix: naming.schemaPrefix, rootDir, now })),
    files: planned.nodes.flatMap((n) => compiledModelFiles(n, { sql: n.sql, ...(n.incrementalSql ? { incremental: { sql: n.incrementalSql } } : {}) })),
    models: planned.nodes.map((n) => n.name),
  };
}

/** The project-wide checks of the last compile with these parts. */
const lastChecks = new WeakMap<Map<string, CompiledPackage>, ProjectChecks>();

/** Compiles with the parts and checks of the last compile (parts through JSON, as the runner keeps them), and writes the files. */
async function incremental(packages: WarehousePackage[], rootDir: string, keys: Record<string, string>, previous: Map<string, CompiledPackage>, at = now): Promise<CompileOutcome> {
  const compiledFiles = await openCompiledFiles(rootDir);
  const checked = lastChecks.get(previous);
  const outcome = compileProject(
    packages.map((pkg) => {
      const kept = previous.get(pkg.name);
      return { package: pkg, key: keys[pkg.name]!, ...(kept ? { previous: JSON.parse(JSON.stringify(kept)) as CompiledPackage } : {}), definitions: () => pkg };
    }),
    { ...naming, rootDir, now: at, compiledFiles, ...(checked ? { checked } : {}) },
  );
  if (outcome.problems.length === 0) {
    await compiledFiles.commit();
    outcome.compiled.forEach((part, i) => previous.set(packages[i]!.name, part));
    lastChecks.set(previous, outcome.checked!);
  }
  return outcome;
}

const keysOf = (packages: WarehousePackage[], changed: Record<string, string> = {}) => Object.fromEntries(packages.map((p) => [p.name, changed[p.name] ?? `${p.name}@1`]));

describe('compileProject', () => {
  it('writes what assembling, planning and writing the whole graph writes', async () => {
    const rootDir = projectDir();
    const packages = tinyPackages();
    const outcome = await incremental(packages, rootDir, keysOf(packages), new Map());
    const full = fullCompile(packages, rootDir);
    expect(outcome.problems).toEqual([]);
    expect(outcome.manifest).toBe(full.manifest);
    expect(outcome.files).toEqual(expect.arrayContaining(full.files));
    expect(outcome.files).toHaveLength(full.files.length);
    expect(outcome.models.map((m) => m.name)).toEqual(full.models);
    expect(outcome.linked).toEqual(['@t/sources', '@t/catalog', '@t/shop']);
  });

  it('reuses every package when nothing changed, and gives the same manifest', async () => {
    const rootDir = projectDir();
    const packages = tinyPackages();
    const previous = new Map<string, CompiledPackage>();
    const first = await incremental(packages, rootDir, keysOf(packages), previous);
    const second = await incremental(packages, rootDir, keysOf(packages), previous);
    expect(second.linked).toEqual([]);
    expect(second.files).toEqual([]);
    expect(second.manifest).toBe(first.manifest);
  });

  it('links again only the package whose files changed, when what others read of it stayed the same', async () => {
    const rootDir = projectDir();
    const previous = new Map<string, CompiledPackage>();
    await incremental(tinyPackages(), rootDir, keysOf(tinyPackages()), previous);
    // a new body for fact_orders: the shop package changed, nobody reads its bodies
    const edited = defineModel({ ...factOrders, sql: ({ ref, source }) => sql`select o.order_id, o.product_id, o.quantity, o.quantity * p.price * 1 as amount from ${source(rawOrders)} o join ${ref(dimProduct)} p using (product_id)` });
    const packages = tinyPackages({ shopModels: [edited, ordersByProduct] });
    const outcome = await incremental(packages, rootDir, keysOf(packages, { '@t/shop': '@t/shop@2' }), previous);
    expect(outcome.linked).toEqual(['@t/shop']);
    expect(outcome.manifest).toBe(fullCompile(packages, rootDir).manifest);
    expect(outcome.files.map(([path]) => path).sort()).toEqual(['target/compiled/shop/fact_orders.sql', 'target/compiled/shop/orders_by_product.sql']);
  });

  it('links again the packages that read a declaration that changed', async () => {
    const rootDir = projectDir();
    const previous = new Map<string, CompiledPackage>();
    await incremental(tinyPackages(), rootDir, keysOf(tinyPackages()), previous);
    // dim_product moves to a schema of its own: shop renders its ref differently
    const moved = defineModel({ ...dimProduct, domain: 'catalog', columns: { ...dimProduct.columns, colour: { type: 'text' } } });
    const packages = tinyPackages({ catalogModels: [moved, stgProductNames] });
    const outcome = await incremental(packages, rootDir, keysOf(packages, { '@t/catalog': '@t/catalog@2' }), previous);
    expect(outcome.linked).toEqual(['@t/catalog', '@t/shop']);
    expect(outcome.manifest).toBe(fullCompile(packages, rootDir).manifest);
  });

  it('links again a package that refs a name by name when a new version of it appears in another package', async () => {
    const rootDir = projectDir();
    const previous = new Map<string, CompiledPackage>();
    const reader = defineModel({ ...ordersByProduct, name: 'product_reader', sql: ({ ref }) => sql`select product_id, 1 as orders, 1 as amount from ${ref('things')}` });
    const things = (version: number) => defineModel({ ...dimProduct, name: 'things', access: 'public', version, sql: ({ source }) => sql`select product_id, name, price from ${source(rawProducts)}` });
    const thingsPackage = (name: string, version: number): WarehousePackage => ({ name, version: '1.0.0', domain: 'catalog', dependencies: ['@t/sources'], models: [things(version)], sources: [] });
    const project = (...extra: WarehousePackage[]) =>
      [...tinyPackages({ shopModels: [factOrders, reader] }), ...extra].map((p) => (p.name === '@t/shop' ? { ...p, dependencies: [...p.dependencies, ...extra.map((e) => e.name)] } : p));
    const before = project(thingsPackage('@t/things', 1));
    await incremental(before, rootDir, keysOf(before), previous);
    // version 2 lands in a package the reader never read; @t/things itself is unchanged
    const after = project(thingsPackage('@t/things', 1), thingsPackage('@t/things_next', 2));
    const outcome = await incremental(after, rootDir, keysOf(after, { '@t/shop': '@t/shop@1' }), previous);
    expect(outcome.linked).toEqual(['@t/shop', '@t/things_next']);
    expect(outcome.manifest).toContain('"model.things_v2"');
    expect(outcome.manifest).toBe(fullCompile(after, rootDir).manifest);
  });

  it('judges deprecations again on another day', async () => {
    const rootDir = projectDir();
    const previous = new Map<string, CompiledPackage>();
    const old = defineModel({ ...dimProduct, name: 'dim_product', version: 1, deprecationDate: '2026-06-15' });
    const packages = tinyPackages({ catalogModels: [old, stgProductNames] });
    const first = await incremental(packages, rootDir, keysOf(packages), previous);
    expect(first.warnings.map((w) => w.message)).toContain('model fact_orders refs dim_product v1, which is deprecated and goes away on 2026-06-15; move it to the latest version');
    expect((await incremental(packages, rootDir, keysOf(packages), previous)).linked).toEqual([]);
    const later = await incremental(packages, rootDir, keysOf(packages), previous, new Date('2026-07-01T00:00:00Z'));
    expect(later.problems.map((p) => p.message)).toContain('model fact_orders refs dim_product v1, deprecated since 2026-06-15; move it to the latest version');
  });

  it('writes a reused package again when its compiled files are gone', async () => {
    const rootDir = projectDir();
    const previous = new Map<string, CompiledPackage>();
    await incremental(tinyPackages(), rootDir, keysOf(tinyPackages()), previous);
    unlinkSync(join(rootDir, 'target/compiled/shop/fact_orders.sql'));
    const outcome = await incremental(tinyPackages(), rootDir, keysOf(tinyPackages()), previous);
    expect(outcome.linked).toEqual(['@t/shop']);
    expect(outcome.files.map(([path]) => path)).toContain('target/compiled/shop/fact_orders.sql');
  });

  it('reuses the project-wide checks while every package keeps its shape, and checks again when one changes', async () => {
    const rootDir = projectDir();
    const previous = new Map<string, CompiledPackage>();
    const first = await incremental(tinyPackages(), rootDir, keysOf(tinyPackages()), previous);
    // a new body, the same refs: the order and the childMap stand
    const reworded = defineModel({ ...factOrders, description: 'Order lines, priced.', sql: ({ ref, source }) => sql`select o.order_id, o.product_id, o.quantity, o.quantity * p.price as amount from ${source(rawOrders)} o join ${ref(dimProduct)} p using (product_id) where o.quantity > 0` });
    const same = tinyPackages({ shopModels: [reworded, ordersByProduct] });
    const second = await incremental(same, rootDir, keysOf(same, { '@t/shop': '@t/shop@2' }), previous);
    expect(second.checked).toBe(first.checked);
    expect(second.manifest).toBe(fullCompile(same, rootDir).manifest);
    // a ref that closes a cycle: the shape changed, so the checks run and find it
    const looped = defineModel({ ...factOrders, sql: ({ ref }) => sql`select * from ${ref(ordersByProduct)}` });
    const cyclic = tinyPackages({ shopModels: [looped, ordersByProduct] });
    const third = await incremental(cyclic, rootDir, keysOf(cyclic, { '@t/shop': '@t/shop@3' }), previous);
    expect(third.problems.map((p) => p.code)).toEqual(['MODEL_CYCLE']);
  });

  it('finds the problems the full assembly finds, and writes nothing', async () => {
    const rootDir = projectDir();
    const broken = defineModel({ ...ordersByProduct, sql: ({ ref }) => sql`select * from ${ref('dim_prodcut')}` });
    const packages = tinyPackages({ shopModels: [factOrders, broken] });
    const outcome = await incremental(packages, rootDir, keysOf(packages), new Map());
    expect(outcome.problems.map((p) => p.code)).toEqual(['MISSING_MODEL']);
    expect(outcome.manifest).toBe('');
    expect(outcome.files).toEqual([]);
  });
});
