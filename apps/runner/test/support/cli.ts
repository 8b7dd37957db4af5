import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createPgTestDatabase } from '@warehouse/core/testing';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
const BIN = join(REPO_ROOT, 'apps/runner/bin/warehouse.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `warehouse` binary in a child process. */
export function warehouse(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

/** Messages of the pino log lines in an output. */
export function logMessages(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
}

/**
 * A throw-away project folder inside the repository (so its files resolve @warehouse/* from
 * the repository's node_modules). `packages` are extra packages written under it; the real
 * warehouse packages are included when `withWarehouse` is true.
 */
export function tempProject(options: { config?: string; files?: Record<string, string>; withWarehouse?: boolean }): { dir: string; dispose: () => void } {
  const base = join(REPO_ROOT, 'apps/runner/test/.tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'project-'));
  const workspaces = ['packages/*'];
  if (options.withWarehouse) workspaces.push(`${relative(dir, join(REPO_ROOT, 'packages'))}/*`);
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'temp-project', private: true, type: 'module', workspaces }, null, 2),
    'warehouse.config.ts':
      options.config ??
      `import { defineConfig } from '@warehouse/core';\nexport default defineConfig({\n  targets: { dev: { type: 'auto', dataDir: '.warehouse/dev' } },\n  // roles are cluster-wide; the access tests of @warehouse/core create and drop their own\n  roles: { enabled: false },\n  selectors: { sales_facts: { description: 'the sales fact and what it reads', select: ['+wh_fact_sales'], exclude: ['tag:staging'] } },\n});\n`,
    ...options.files,
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** package.json of a warehouse domain package in a temp project. */
export function domainPackageJson(name: string, domain: string, dependencies: string[] = []): string {
  return JSON.stringify(
    {
      name,
      version: '1.0.0',
      type: 'module',
      exports: { '.': { source: './src/index.ts' } },
      dependencies: Object.fromEntries(['@warehouse/core', ...dependencies].map((d) => [d, '*'])),
      warehouse: { domain },
    },
    null,
    2,
  );
}

/** A model file of a temp project: a fact with one integer column, `id`, and the given SQL body; `imports` go below core's. */
export function modelFile(name: string, domain: string, body: string, imports?: string): string {
  return `import { defineModel, sql } from '@warehouse/core';
${imports ? `${imports}\n` : ''}export const ${name} = defineModel({
  name: '${name}', domain: '${domain}', kind: 'fact', description: 'x', owner: 'o', grain: ['id'], materialized: 'view', access: 'public',
  columns: { id: { type: 'integer' } },
  sql: ${body},
});
`;
}

/** A manifest's text without the moment it was written: two compiles of the same project compare equal. */
export const withoutTime = (manifest: string): string => manifest.replace(/"generatedAt":"[^"]+"/, '');

/**
 * The environment a CLI run needs for a test database of `kind`: on pg, the URL of a fresh
 * database (dropped by `cleanup`); on PGlite, none (the project's own embedded database).
 */
export async function databaseEnv(kind: 'pglite' | 'pg', cleanup: Array<() => unknown>): Promise<{ DATABASE_URL: string | undefined }> {
  if (kind !== 'pg') return { DATABASE_URL: undefined };
  const database = await createPgTestDatabase();
  cleanup.push(() => database.dispose());
  return { DATABASE_URL: database.url };
}
