import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentHash, openCompiledFiles, writeManifest } from './write-artifacts.js';

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

  it('keeps an index per folder, and rewrites only the index of a folder whose files changed', async () => {
    const dir = project();
    const all = files(21, 'a');
    await (await openCompiledFiles(dir)).write(all);
    const indexOf = (folder: string) => JSON.parse(readFileSync(join(dir, 'target/compiled', folder, '.written.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(indexOf('p2')).sort()).toEqual(['m16.sql', 'm2.sql', 'm9.sql']);
    const before = statSync(join(dir, 'target/compiled/p5/.written.json')).mtimeMs;
    // one file of p2 changes
    const edited = all.map(([path, content]) => [path, path.endsWith('/m9.sql') ? 'select 9 -- b\n' : content] as const);
    const reopened = await openCompiledFiles(dir);
    await reopened.write(edited);
    expect(indexOf('p2')['m9.sql']).toBe(contentHash('select 9 -- b\n'));
    expect(statSync(join(dir, 'target/compiled/p5/.written.json')).mtimeMs).toBe(before);
    expect(edited.every(([path, content]) => reopened.holds(path, contentHash(content)))).toBe(true);
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

  it('drops the path-keyed entries of an older single index instead of carrying them on', async () => {
    const dir = project();
    // before each folder had an index: one at target/compiled, keyed by paths below it
    mkdirSync(join(dir, 'target/compiled'), { recursive: true });
    writeFileSync(join(dir, 'target/compiled/.written.json'), JSON.stringify({ 'p1/m1.sql': contentHash('select 1\n') }));
    const compiled = await openCompiledFiles(dir);
    await compiled.write([['target/compiled/top.sql', 'select 0\n']]);
    const index = JSON.parse(readFileSync(join(dir, 'target/compiled/.written.json'), 'utf8')) as Record<string, string>;
    expect(index).toEqual({ 'top.sql': contentHash('select 0\n') });
    expect(compiled.holds('target/compiled/p1/m1.sql', contentHash('select 1\n'))).toBe(false);
  });

  it('names the file it could not write, from the writer thread too', async () => {
    const dir = project();
    // a file where a folder must go
    mkdirSync(join(dir, 'target/compiled'), { recursive: true });
    writeFileSync(join(dir, 'target/compiled/p3'), 'in the way');
    const compiled = await openCompiledFiles(dir);
    compiled.stage(files(400, 'a'));
    await expect(compiled.commit()).rejects.toThrow(/could not write .*target\/compiled\/p3\/m3\.sql/);
    // no index is written: the next compile writes everything again
    const folders = readdirSync(join(dir, 'target/compiled')).filter((f) => f !== 'p3');
    expect(folders.length).toBeGreaterThan(0);
    for (const folder of folders) expect(readdirSync(join(dir, 'target/compiled', folder))).not.toContain('.written.json');
  });
});

describe('the manifest in pieces', () => {
  it('writes the pieces as their joined text, and a changed piece as it now is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-pieces-'));
    try {
      const block = (name: string, n: number) => Array.from({ length: n }, (_, i) => `"model.${name}${i}":{"name":"${name}${i}","sql":"select 'é' as v"}`).join(',');
      const pieces = ['{"nodes":{', block('a', 100), ',', block('b', 100), '}}\n'];
      await writeManifest(dir, pieces);
      expect(readFileSync(join(dir, 'target/manifest.json'), 'utf8')).toBe(pieces.join(''));
      // the next write keeps what it encoded of the blocks that stayed, and encodes the one that changed
      const next = [pieces[0]!, pieces[1]!, ',', block('c', 50), pieces[4]!];
      await writeManifest(dir, next);
      const text = readFileSync(join(dir, 'target/manifest.json'), 'utf8');
      expect(text).toBe(next.join(''));
      expect(Object.keys((JSON.parse(text) as { nodes: Record<string, unknown> }).nodes)).toHaveLength(150);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces the manifest whole: a reader of the last one goes on reading it, and no scratch file stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-replace-'));
    try {
      const first = ['{"nodes":{', '"model.a":{"name":"a"}'.padEnd(4000, ' '), '}}\n'];
      await writeManifest(dir, first);
      const path = join(dir, 'target/manifest.json');
      // an editor or a docs build that opened the manifest before the next compile wrote it
      const reader = openSync(path, 'r');
      try {
        await writeManifest(dir, ['{"nodes":{}}\n']);
        expect(readFileSync(reader, 'utf8')).toBe(first.join(''));
      } finally {
        closeSync(reader);
      }
      expect(readFileSync(path, 'utf8')).toBe('{"nodes":{}}\n');
      expect(readdirSync(join(dir, 'target'))).toEqual(['manifest.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
