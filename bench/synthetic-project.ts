import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A synthetic warehouse project for the compile benchmark: `models` models spread over
 * `packages` domain packages, one model per file, each reading 1 to 3 models of an earlier
 * layer (in its own package or the one before, which it depends on), laid out as real projects
 * are. Deterministic: the same arguments write the same files.
 */
export function writeSyntheticProject(dir: string, options: { models: number; packages: number }): { modelFile: (i: number) => string } {
  const perPackage = Math.ceil(options.models / options.packages);
  const name = (i: number) => `m_${String(i).padStart(5, '0')}`;
  const pkgOf = (i: number) => Math.floor(i / perPackage);
  const pkgName = (p: number) => `@bench/d${String(p).padStart(3, '0')}`;
  const domain = (p: number) => `d${String(p).padStart(3, '0')}`;
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'bench-project', private: true, type: 'module', workspaces: ['packages/*'] }, null, 2),
    'warehouse.config.ts': `import { defineConfig } from '@warehouse/core';\nexport default defineConfig({ targets: { dev: { type: 'pglite', dataDir: 'memory://' } }, roles: { enabled: false } });\n`,
  };
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let p = 0; p < options.packages; p++) {
    const first = p * perPackage;
    const last = Math.min(options.models, first + perPackage) - 1;
    if (first > last) break;
    const deps = p > 0 ? [pkgName(p - 1)] : [];
    files[`packages/${domain(p)}/package.json`] = JSON.stringify(
      {
        name: pkgName(p),
        version: '1.0.0',
        type: 'module',
        exports: { '.': { source: './src/index.ts' } },
        dependencies: Object.fromEntries(['@warehouse/core', ...deps].map((d) => [d, '*'])),
        warehouse: { domain: domain(p) },
      },
      null,
      2,
    );
    const exports: string[] = [];
    for (let i = first; i <= last; i++) {
      // parents: earlier models of this package or of the previous one
      const lowest = p > 0 ? (p - 1) * perPackage : 0;
      const count = i - lowest;
      const refs = count === 0 ? [] : [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => name(lowest + Math.floor(random() * count))))];
      const from = refs.map((r, k) => (k === 0 ? `\${ref('${r}')} as t0` : `join \${ref('${r}')} as t${k} using (id)`)).join(' ');
      const body =
        refs.length === 0
          ? '() => sql`select 1::bigint as id, 1 as v`'
          : `({ ref }) => sql\`select t0.id, ${refs.map((_, k) => `t${k}.v`).join(' + ')} as v from ${from}\``;
      files[`packages/${domain(p)}/src/models/${name(i)}.ts`] = [
        `import { defineModel, sql } from '@warehouse/core';`,
        ``,
        `export const ${name(i)} = defineModel({`,
        `  name: '${name(i)}',`,
        `  domain: '${domain(p)}',`,
        `  kind: 'fact',`,
        `  description: 'Synthetic model ${i} of the compile benchmark.',`,
        `  owner: 'bench@company.example',`,
        `  grain: ['id'],`,
        `  access: 'public',`,
        `  materialized: 'view',`,
        `  columns: { id: { type: 'bigint', nullable: false }, v: { type: 'integer' } },`,
        `  sql: ${body},`,
        `});`,
        ``,
      ].join('\n');
      exports.push(`export { ${name(i)} } from './models/${name(i)}.js';`);
    }
    files[`packages/${domain(p)}/src/index.ts`] = `${exports.join('\n')}\n`;
  }
  writeGeneratedFiles(dir, files);
  return { modelFile: (i) => join(dir, 'packages', domain(pkgOf(i)), 'src', 'models', `${name(i)}.ts`) };
}

/** Beside generated files: a hash of all of them, as last written. */
const STAMP = '.generated';

/**
 * Writes generated files into `dir`, leaving what else is there (a project's target/). When the
 * folder holds this same set from an earlier run, only files that differ (a model a warm run
 * edited) are rewritten; the folder is emptied first only when the set changed. Deleting
 * thousands of files just before creating as many makes ext4 on this machine spend seconds of
 * kernel time on each new file for minutes after (10,000 files: 0.3 s on a fresh disk, 4 to 11 s
 * right after deleting as many), which would land in the cold compiles measured next.
 */
export function writeGeneratedFiles(dir: string, files: Record<string, string>): void {
  const hash = createHash('sha256');
  for (const [path, content] of Object.entries(files)) hash.update(`${path}\0${content}\0`);
  const stamp = hash.digest('hex');
  const same = existsSync(join(dir, STAMP)) && readFileSync(join(dir, STAMP), 'utf8') === stamp;
  if (!same) rmSync(dir, { recursive: true, force: true });
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    if (same && existsSync(file) && readFileSync(file, 'utf8') === content) continue;
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }
  writeFileSync(join(dir, STAMP), stamp);
}
