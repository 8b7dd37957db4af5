import { execFile } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, warehouse } from './support/cli.js';

const run = promisify(execFile);
const BUNDLE_MODULE = join(REPO_ROOT, 'apps/runner/bin/runner-bundle.mjs');
/** A core source file the bundle compiles in; its modification time is part of the bundle's stamp. */
const CORE_FILE = join(REPO_ROOT, 'packages/core/src/errors/warehouse-error.ts');

/** runnerBundle() in a fresh process, as the CLI entry calls it. */
async function bundlePaths(): Promise<{ cli: string; core: string }> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(BUNDLE_MODULE)}); console.log(JSON.stringify(await m.runnerBundle()));`]);
  return JSON.parse(stdout) as { cli: string; core: string };
}

describe('the runner bundle', () => {
  const original = statSync(CORE_FILE);
  // setting a time keeps whole milliseconds: start from one that can be set back exactly
  utimesSync(CORE_FILE, original.atime, original.mtime);
  afterEach(() => utimesSync(CORE_FILE, original.atime, original.mtime));

  it('is reused while its sources are unchanged and rebuilt when one changes, also by processes racing', async () => {
    const first = await bundlePaths();
    expect(await bundlePaths()).toEqual(first);
    expect(readFileSync(first.core, 'utf8')).toContain('WarehouseError');

    utimesSync(CORE_FILE, original.atime, new Date(original.mtimeMs + 60_000));
    const racing = await Promise.all([bundlePaths(), bundlePaths(), bundlePaths()]);
    expect(new Set(racing.map((r) => r.cli)).size).toBe(1);
    expect(racing[0]!.cli).not.toBe(first.cli);
    const version = await warehouse(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync(join(REPO_ROOT, 'apps/runner/package.json'), 'utf8')).version}\n` });

    // back to the files as they were: the first bundle is still there and is used again
    utimesSync(CORE_FILE, original.atime, original.mtime);
    expect(await bundlePaths()).toEqual(first);
  });

  it('runs from the TypeScript sources with WAREHOUSE_FROM_SOURCE=1', async () => {
    const listed = await warehouse(['ls', '--select', 'wh_dim_product', '--json'], { env: { WAREHOUSE_FROM_SOURCE: '1' } });
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((m) => m.name)).toEqual(['wh_dim_product']);
  });
});
