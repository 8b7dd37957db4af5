import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentHash, openCompiledFiles } from './write-artifacts.js';

describe('compiled files', () => {
  const dirs: string[] = [];
  const project = () => {
    const dir = mkdtempSync(join(tmpdir(), 'compiled-files-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const files = (count: number, version: string) =>
    Array.from({ length: count }, (_, i) => [`target/compiled/p${i % 7}/m${i}.sql`, `select ${i} -- ${version}\n`] as const);

  it('writes many files on a thread of their own, and each one whole', async () => {
    const dir = project();
    const all = files(1200, 'a');
    const compiled = await openCompiledFiles(dir);
    // package by package, as a compile stages them
    for (let p = 0; p < all.length; p += 100) compiled.stage(all.slice(p, p + 100));
    await compiled.commit();
    for (const [path, content] of all) expect(readFileSync(join(dir, path), 'utf8')).toBe(content);
    const reopened = await openCompiledFiles(dir);
    expect(all.every(([path, content]) => reopened.holds(path, contentHash(content)))).toBe(true);
  });

  it('rewrites only what changed, and notices a file removed behind its back', async () => {
    const dir = project();
    const all = files(20, 'a');
    await (await openCompiledFiles(dir)).write(all);
    const [path, content] = all[3]!;
    unlinkSync(join(dir, path));
    const reopened = await openCompiledFiles(dir);
    expect(reopened.holds(path, contentHash(content))).toBe(false);
    expect(reopened.holds(all[4]![0], contentHash(all[4]![1]))).toBe(true);
    await reopened.write(all);
    expect(readFileSync(join(dir, path), 'utf8')).toBe(content);
  });

  it('names the file it could not write, from the writer thread too', async () => {
    const dir = project();
    // a file where a folder must go
    mkdirSync(join(dir, 'target/compiled'), { recursive: true });
    writeFileSync(join(dir, 'target/compiled/p3'), 'in the way');
    const compiled = await openCompiledFiles(dir);
    compiled.stage(files(400, 'a'));
    await expect(compiled.commit()).rejects.toThrow(/could not write .*target\/compiled\/p3\/m3\.sql/);
    // the index is not written: the next compile writes everything again
    expect(readdirSync(join(dir, 'target/compiled')).includes('.written.json')).toBe(false);
  });
});
