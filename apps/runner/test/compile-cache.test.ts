import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { domainPackageJson, modelFile, tempProject, warehouse, withoutTime } from './support/cli.js';

/**
 * The compile cache end to end, through the real CLI: packages recorded once, each package's
 * compiled part reused while nothing it depends on changed, and the same artifacts as a
 * compile that reuses nothing.
 */
const model = (name: string, domain: string, body: string) => modelFile(name, domain, body);

function project() {
  return tempProject({
    files: {
      'packages/base/package.json': domainPackageJson('@t/base', 'base'),
      'packages/base/src/index.ts': `export { numbers } from './models/numbers.js';\n`,
      'packages/base/src/models/numbers.ts': model('numbers', 'base', '() => sql`select 1 as id`'),
      'packages/shop/package.json': domainPackageJson('@t/shop', 'shop', ['@t/base']),
      'packages/shop/src/index.ts': `export { orders } from './models/orders.js';\nexport { totals } from './models/totals.js';\n`,
      'packages/shop/src/models/orders.ts': model('orders', 'shop', "({ ref }) => sql`select id from ${ref('numbers')}`"),
      'packages/shop/src/models/totals.ts': model('totals', 'shop', "({ ref }) => sql`select id from ${ref('orders')}`"),
      'packages/other/package.json': domainPackageJson('@t/other', 'other', ['@t/base']),
      'packages/other/src/index.ts': `export { others } from './models/others.js';\n`,
      'packages/other/src/models/others.ts': model('others', 'other', "({ ref }) => sql`select id from ${ref('numbers')}`"),
    },
  });
}

/** What one compile did: the packages it evaluated (imported and recorded) and linked, from --debug. */
async function compile(dir: string, args: string[] = []) {
  const result = await warehouse(['compile', '--project-dir', dir, '--json', '--debug', ...args]);
  expect(result.code, result.stderr).toBe(0);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const loaded = lines.find((l) => l.msg === 'packages loaded') as { evaluated: string[] } | undefined;
  const compiled = lines.find((l) => l.msg === 'project compiled') as { linked: string[] } | undefined;
  return { evaluated: loaded?.evaluated, linked: compiled?.linked, manifest: readFileSync(join(dir, 'target/manifest.json'), 'utf8') };
}

describe('the compile cache', () => {
  const projects: Array<{ dispose: () => void }> = [];
  afterAll(() => projects.forEach((p) => p.dispose()));

  it('reuses unchanged packages, relinks what an edit touches, and writes what a compile without a cache writes', async () => {
    const p = project();
    projects.push(p);
    const first = await compile(p.dir);
    expect(first.evaluated).toEqual(['@t/base', '@t/other', '@t/shop']);
    expect(first.linked).toEqual(['@t/base', '@t/other', '@t/shop']);

    const again = await compile(p.dir);
    expect(again.evaluated).toEqual([]);
    expect(again.linked).toEqual([]);
    expect(withoutTime(again.manifest)).toBe(withoutTime(first.manifest));

    // a body edited: only its package is evaluated and linked again
    writeFileSync(join(p.dir, 'packages/shop/src/models/totals.ts'), model('totals', 'shop', "({ ref }) => sql`select id + 0 as id from ${ref('orders')}`"));
    const edited = await compile(p.dir);
    expect(edited.evaluated).toEqual(['@t/shop']);
    expect(edited.linked).toEqual(['@t/shop']);
    expect(readFileSync(join(p.dir, 'target/compiled/shop/totals.sql'), 'utf8')).toBe('select id + 0 as id from "shop"."orders"\n');

    // a declaration others read changed (a column): its readers are linked again, not evaluated
    writeFileSync(join(p.dir, 'packages/base/src/models/numbers.ts'), model('numbers', 'base', '() => sql`select 2 as id`').replace("columns: { id: { type: 'integer' } }", "columns: { id: { type: 'bigint' } }"));
    const declared = await compile(p.dir);
    expect(declared.evaluated).toEqual(['@t/base']);
    expect(declared.linked).toEqual(['@t/base', '@t/other', '@t/shop']);

    // a compile that reuses nothing (a selection takes the full path) writes the same manifest
    const full = await compile(p.dir, ['--select', '*']);
    expect(withoutTime(full.manifest)).toBe(withoutTime(declared.manifest));
  });

  it('keeps parts per target: another schema prefix compiles its own', async () => {
    const p = tempProject({
      config: `import { defineConfig } from '@warehouse/core';\nexport default defineConfig({ targets: { dev: { type: 'pglite', dataDir: 'memory://' }, ci: { type: 'pglite', dataDir: 'memory://', schemaPrefix: 'ci_' } }, roles: { enabled: false } });\n`,
      files: {
        'packages/base/package.json': domainPackageJson('@t/base', 'base'),
        'packages/base/src/index.ts': `export { numbers } from './models/numbers.js';\nexport { doubled } from './models/doubled.js';\n`,
        'packages/base/src/models/numbers.ts': model('numbers', 'base', '() => sql`select 1 as id`'),
        'packages/base/src/models/doubled.ts': model('doubled', 'base', "({ ref }) => sql`select id * 2 as id from ${ref('numbers')}`"),
      },
    });
    projects.push(p);
    await compile(p.dir);
    const ci = await compile(p.dir, ['--target', 'ci']);
    expect(ci.linked).toEqual(['@t/base']);
    expect(readFileSync(join(p.dir, 'target/compiled/base/doubled.sql'), 'utf8')).toBe('select id * 2 as id from "ci_base"."numbers"\n');
    // back to dev: its own part is reused, and the file it wrote, overwritten by ci's, is written again
    const dev = await compile(p.dir);
    expect(readFileSync(join(p.dir, 'target/compiled/base/doubled.sql'), 'utf8')).toBe('select id * 2 as id from "base"."numbers"\n');
    expect(dev.evaluated).toEqual([]);
  });

  it('evaluates a package whose SQL reads the target on every run, and renders it for each target', async () => {
    const p = tempProject({
      config: `import { defineConfig } from '@warehouse/core';\nexport default defineConfig({ targets: { dev: { type: 'pglite', dataDir: 'memory://' }, prod: { type: 'pglite', dataDir: 'memory://' } }, roles: { enabled: false } });\n`,
      files: {
        'packages/base/package.json': domainPackageJson('@t/base', 'base'),
        'packages/base/src/index.ts': `export { numbers } from './models/numbers.js';\n`,
        'packages/base/src/models/numbers.ts': model('numbers', 'base', "({ target }) => sql`select ${target.name === 'prod' ? sql`2` : sql`1`} as id`"),
      },
    });
    projects.push(p);
    expect((await compile(p.dir)).evaluated).toEqual(['@t/base']);
    expect(readFileSync(join(p.dir, 'target/compiled/base/numbers.sql'), 'utf8')).toBe('select 1 as id\n');
    const prod = await compile(p.dir, ['--target', 'prod']);
    expect(prod.evaluated).toEqual(['@t/base']);
    expect(readFileSync(join(p.dir, 'target/compiled/base/numbers.sql'), 'utf8')).toBe('select 2 as id\n');
  });

  it('reports a model file that does not parse with its file, line and column, exit 2', async () => {
    const p = tempProject({
      files: {
        'packages/base/package.json': domainPackageJson('@t/base', 'base'),
        'packages/base/src/index.ts': `export { numbers } from './models/numbers.js';\n`,
        'packages/base/src/models/numbers.ts': `import { defineModel } from '@warehouse/core';\nexport const numbers = defineModel({ name: 'numbers',, });\n`,
      },
    });
    projects.push(p);
    const result = await warehouse(['compile', '--project-dir', p.dir, '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/a package does not compile: packages\/base\/src\/models\/numbers\.ts:2:\d+: Expected identifier but found \\",\\"/);
  });
});
