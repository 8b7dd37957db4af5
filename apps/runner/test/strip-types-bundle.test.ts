import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { domainPackageJson, modelFile, tempProject, warehouse, withoutTime } from './support/cli.js';

/**
 * Packages bundled by stripping types (strip-types-bundle.ts), through the real CLI: the same
 * manifest as esbuild's bundles give, the packages the stripper leaves to esbuild, and syntax
 * errors it cannot see reported as esbuild reports them.
 */
async function compile(dir: string, env: Record<string, string> = {}) {
  const result = await warehouse(['compile', '--project-dir', dir, '--json', '--debug'], { env });
  expect(result.code, result.stderr).toBe(0);
  const loaded = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; bundled?: { stripped: string[]; esbuild: string[] } })
    .find((l) => l.msg === 'packages loaded');
  return { bundled: loaded?.bundled, manifest: readFileSync(join(dir, 'target/manifest.json'), 'utf8') };
}

/** A chain of `count` packages, each model reading the one before: enough packages for the stripping thread. */
function chain(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const name = `p${i}`;
    files[`packages/${name}/package.json`] = domainPackageJson(`@t/${name}`, name, i === 0 ? [] : [`@t/p${i - 1}`]);
    files[`packages/${name}/src/index.ts`] = `export { m${i} } from './models/m${i}.js';\n`;
    files[`packages/${name}/src/models/m${i}.ts`] = modelFile(`m${i}`, name, i === 0 ? '() => sql`select 1 as id`' : `({ ref }) => sql\`select id from \${ref('m${i - 1}')}\``);
  }
  return files;
}

describe('bundling by stripping types', () => {
  const projects: Array<{ dispose: () => void }> = [];
  afterAll(() => projects.forEach((p) => p.dispose()));

  it('gives the manifest esbuild gives, for TypeScript of every common form, on a thread and from sources', async () => {
    const p = tempProject({
      files: {
        ...chain(9),
        // comments and a trailing comma, as tsconfig files have them; no verbatimModuleSyntax, so imports only types use are dropped
        'tsconfig.json': `{\n  // the project's own\n  "compilerOptions": { "strict": true, /* on */ },\n}\n`,
        // a package whose tsconfig keeps imports as written: an import only types use still runs its module
        'packages/keep/package.json': domainPackageJson('@t/keep', 'keep'),
        'packages/keep/tsconfig.json': `{ "extends": "../../tsconfig.json", "compilerOptions": { "verbatimModuleSyntax": true } }\n`,
        'packages/keep/src/index.ts': `export { kept } from './models/kept.js';\n`,
        'packages/keep/src/mark.ts': `export interface Marker { at: string }\n(globalThis as Record<string, unknown>).keepMarked = true;\n`,
        'packages/keep/src/models/kept.ts': modelFile('kept', 'keep', '() => sql`select 1 as id`', `import { Marker } from '../mark.js';\nconst marker: Marker | undefined = undefined;\nexport const marked = String((globalThis as Record<string, unknown>).keepMarked ?? marker ?? 'no');`).replace("description: 'x'", 'description: marked'),
        'packages/shop/package.json': domainPackageJson('@t/shop', 'shop', ['@t/p8']),
        // star exports, a default export re-exported by name, a type-only export
        'packages/shop/src/index.ts': `export * from './models/orders.js';\nexport { default as plain } from './models/plain';\nexport type { Row } from './types.js';\n`,
        'packages/shop/src/types.ts': `export interface Row { id: number }\nexport type Kind = 'a' | 'b';\n`,
        'packages/shop/src/lib/kinds.ts': `export enum Kind { Fact = 'fact', Dim = 'dim' }\nexport const label = (n: number): string => \`n\${n}\`;\n`,
        'packages/shop/src/models/orders.ts': [
          `import { defineModel, sql, type Model } from '@warehouse/core';`,
          `import type { Row } from '../types.js';`,
          // used only as a type, from a package that does not exist at run time: must not be imported
          `import { NotThere } from 'no-such-package-only-types';`,
          `import pg from 'pg';`,
          `import { Kind, label } from '../lib/kinds';`,
          `interface Local { row: Row; other: NotThere }`,
          `const width: number = 2;`,
          ``,
          `export const orders: Model = defineModel({`,
          `  name: 'orders', domain: 'shop', kind: Kind.Fact, description: \`\${typeof pg.Pool} \${label(width)}\`, owner: 'o',`,
          `  grain: ['id'], materialized: 'view', access: 'public', columns: { id: { type: 'integer' } },`,
          `  sql: ({ ref }: { ref: (name: string) => unknown }) => sql\`select id from \${ref('m8')}\`,`,
          `}) as Model;`,
          `export const unused = (l: Local | undefined): number => l?.row.id ?? 0;`,
          ``,
        ].join('\n'),
        'packages/shop/src/models/plain.ts': `import { defineModel, sql } from '@warehouse/core';\n\n\nexport default defineModel({\n  name: 'plain', domain: 'shop', kind: 'dim', description: 'x', owner: 'o', grain: ['id'], materialized: 'view', access: 'public',\n  columns: { id: { type: 'integer' } },\n  sql: () => sql\`select 1 as id\`,\n});\n`,
      },
    });
    projects.push(p);
    const strip = { WAREHOUSE_BUNDLER: 'strip-types' };
    const stripped = await compile(p.dir, strip);
    expect(stripped.bundled?.esbuild).toEqual([]);
    expect(stripped.bundled?.stripped).toHaveLength(11);
    const manifest = JSON.parse(stripped.manifest) as { nodes: Record<string, { description?: string; definedAt?: string }> };
    const orders = Object.values(manifest.nodes).find((n) => n.definedAt?.includes('orders.ts'));
    expect(orders?.description).toBe('function n2');
    expect(orders?.definedAt).toBe('packages/shop/src/models/orders.ts:9');
    expect(Object.values(manifest.nodes).find((n) => n.definedAt?.includes('plain.ts'))?.definedAt).toBe('packages/shop/src/models/plain.ts:4');
    expect(Object.values(manifest.nodes).find((n) => n.definedAt?.includes('kept.ts'))?.description).toBe('true');

    // from sources there is no thread: stripped in the process
    rmSync(join(p.dir, 'target'), { recursive: true });
    const fromSources = await compile(p.dir, { ...strip, WAREHOUSE_FROM_SOURCE: '1' });
    expect(fromSources.bundled?.stripped).toHaveLength(11);
    expect(withoutTime(fromSources.manifest)).toBe(withoutTime(stripped.manifest));

    rmSync(join(p.dir, 'target'), { recursive: true });
    const esbuilt = await compile(p.dir, { WAREHOUSE_BUNDLER: 'esbuild' });
    expect(esbuilt.bundled).toEqual({ stripped: [], esbuild: expect.arrayContaining(['@t/shop', '@t/keep']) as unknown });
    expect(withoutTime(esbuilt.manifest)).toBe(withoutTime(stripped.manifest));

    // left to choose, so few files are bundled by esbuild
    rmSync(join(p.dir, 'target'), { recursive: true });
    const chosen = await compile(p.dir);
    expect(chosen.bundled?.stripped).toEqual([]);
    expect(withoutTime(chosen.manifest)).toBe(withoutTime(stripped.manifest));

    // one package stale after an edit: esbuild, whose service starts sooner than the stripper loads
    const plainFile = join(p.dir, 'packages/shop/src/models/plain.ts');
    writeFileSync(plainFile, `// moved down a line\n${readFileSync(plainFile, 'utf8')}`);
    const edited = await compile(p.dir);
    expect(edited.bundled).toEqual({ stripped: [], esbuild: ['@t/shop'] });
    expect(edited.manifest).toContain('"definedAt":"packages/shop/src/models/plain.ts:5"');
  });

  it('left to choose, bundles a large project with both: esbuild takes the first packages while the thread starts', async () => {
    // 26 packages of 100 one-model files: past the 2,500 files from which types are stripped
    const files: Record<string, string> = {};
    for (let p = 0; p < 26; p++) {
      const name = `q${String(p).padStart(2, '0')}`;
      files[`packages/${name}/package.json`] = domainPackageJson(`@t/${name}`, name);
      const models = Array.from({ length: 100 }, (_, i) => `${name}_${i}`);
      files[`packages/${name}/src/index.ts`] = models.map((m) => `export { ${m} } from './models/${m}.js';`).join('\n');
      for (const m of models) files[`packages/${name}/src/models/${m}.ts`] = modelFile(m, name, '() => sql`select 1 as id`');
    }
    const p = tempProject({ files });
    projects.push(p);
    const chosen = await compile(p.dir);
    expect(chosen.bundled?.esbuild[0]).toBe('@t/q00');
    expect([...chosen.bundled!.esbuild, ...chosen.bundled!.stripped]).toHaveLength(26);
    rmSync(join(p.dir, 'target'), { recursive: true });
    const esbuilt = await compile(p.dir, { WAREHOUSE_BUNDLER: 'esbuild' });
    expect(withoutTime(esbuilt.manifest)).toBe(withoutTime(chosen.manifest));
    // the stamps the thread took along: unchanged, nothing is bundled again; after an edit, the edited package alone
    rmSync(join(p.dir, 'target'), { recursive: true });
    const again = await compile(p.dir);
    expect(again.bundled?.stripped.length).toBeGreaterThan(0);
    expect((await compile(p.dir)).bundled).toEqual({ stripped: [], esbuild: [] });
    const lastStripped = again.bundled!.stripped.at(-1)!.replace('@t/', '');
    const edited = join(p.dir, `packages/${lastStripped}/src/models/${lastStripped}_7.ts`);
    writeFileSync(edited, `// edited\n${readFileSync(edited, 'utf8')}`);
    expect((await compile(p.dir)).bundled).toEqual({ stripped: [], esbuild: [`@t/${lastStripped}`] });
  });

  it('reports a syntax error it passed on as esbuild does, with file, line and column, also from the cache, and once', async () => {
    const p = tempProject({
      files: {
        ...chain(9),
        'packages/base/package.json': domainPackageJson('@t/base', 'base'),
        'packages/base/src/index.ts': `export { numbers } from './models/numbers.js';\n`,
        'packages/base/src/models/numbers.ts': `import { defineModel } from '@warehouse/core';\nexport const numbers = defineModel({ name: 'numbers',, });\n`,
        // imports the broken package's bundle, so fails with it: not reported again
        'packages/next/package.json': domainPackageJson('@t/next', 'next', ['@t/base']),
        'packages/next/src/index.ts': `export { numbers } from '@t/base';\n`,
      },
    });
    projects.push(p);
    // the first compile strips it (its bundle does not import); the second finds that bundle current
    for (let run = 0; run < 2; run++) {
      const result = await warehouse(['compile', '--project-dir', p.dir, '--json'], { env: { WAREHOUSE_BUNDLER: 'strip-types' } });
      expect(result.code).toBe(2);
      const failure = JSON.parse(result.stderr.split('\n').find((l) => l.includes('PACKAGE_LOAD_FAILED'))!) as { msg: string };
      expect(failure.msg).toMatch(/^a package does not compile: packages\/base\/src\/models\/numbers\.ts:2:\d+: Expected identifier but found ","$/);
    }
  });

  it('leaves to esbuild what a wrapped file would change: top-level await, import.meta', async () => {
    const p = tempProject({
      files: {
        ...chain(8),
        'packages/base/package.json': domainPackageJson('@t/base', 'base'),
        'packages/base/src/index.ts': `export { numbers } from './models/numbers.js';\nexport { where } from './models/where.js';\n`,
        'packages/base/src/models/numbers.ts': modelFile('numbers', 'base', '() => sql`select ${one} as id`', 'const one = await Promise.resolve(1);'),
        'packages/base/src/models/where.ts': modelFile('where', 'base', '() => sql`select 1 as id`', 'export const here = import.meta.url;'),
        'packages/next/package.json': domainPackageJson('@t/next', 'next', ['@t/base']),
        'packages/next/src/index.ts': `export { more } from './models/more.js';\n`,
        'packages/next/src/models/more.ts': modelFile('more', 'next', "({ ref }) => sql`select id from ${ref('numbers')}`"),
      },
    });
    projects.push(p);
    const result = await compile(p.dir, { WAREHOUSE_BUNDLER: 'strip-types' });
    expect(result.bundled?.esbuild).toEqual(['@t/base']);
    expect(result.bundled?.stripped).toHaveLength(9);
    expect(readFileSync(join(p.dir, 'target/compiled/base/numbers.sql'), 'utf8')).toBe('select 1 as id\n');
  });
});
