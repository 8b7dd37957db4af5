import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf, watchFingerprintedFiles } from '../src/project/file-stamps.js';

describe('file fingerprints', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'stamps-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'src/b.ts'), 'export const b = 1;\n');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const unwatched = (dir: string, files: string[]) => {
    const watch = watchFingerprintedFiles();
    watch.close();
    return fingerprintOf(dir, files);
  };

  it('change with a file, a salt, and a file that appears', () => {
    const dir = folder();
    const before = fingerprintOf(dir, ['src/a.ts', 'src/b.ts', 'src/c.ts']);
    expect(fingerprintOf(dir, ['src/a.ts', 'src/b.ts', 'src/c.ts'])).toBe(before);
    expect(fingerprintOf(dir, ['src/a.ts', 'src/b.ts', 'src/c.ts'], 'esbuild 1')).not.toBe(before);
    writeFileSync(join(dir, 'src/c.ts'), '');
    expect(fingerprintOf(dir, ['src/a.ts', 'src/b.ts', 'src/c.ts'])).not.toBe(before);
  });

  it('are kept while watched files are unchanged, and follow every edit the file system reports', async () => {
    const dir = folder();
    const files = ['src/a.ts', 'src/b.ts', 'src/c.ts'];
    const watch = watchFingerprintedFiles();
    cleanups.push(() => watch.close());
    // change events arrive on the event loop, within milliseconds of the edit
    const changedFrom = async (before: string) => {
      for (let waited = 0; waited < 2000; waited += 10) {
        const now = fingerprintOf(dir, files);
        if (now !== before) return now;
        await sleep(10);
      }
      return before;
    };
    const first = fingerprintOf(dir, files);
    expect(fingerprintOf(dir, files)).toBe(first);

    writeFileSync(join(dir, 'src/a.ts'), 'export const a = 22;\n');
    const edited = await changedFrom(first);
    expect(edited).not.toBe(first);

    // a file that did not exist, then does
    writeFileSync(join(dir, 'src/c.ts'), 'export const c = 3;\n');
    const created = await changedFrom(edited);
    expect(created).not.toBe(edited);

    rmSync(join(dir, 'src/b.ts'));
    const removed = await changedFrom(created);
    expect(removed).not.toBe(created);
    // and it stays put while nothing changes
    await sleep(50);
    expect(fingerprintOf(dir, files)).toBe(removed);

    // the folder replaced (a branch switch): seen, and watched anew
    rmSync(join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.ts'), 'export const a = 333;\n');
    const replaced = await changedFrom(removed);
    expect(replaced).not.toBe(removed);
    await sleep(20);
    writeFileSync(join(dir, 'src/a.ts'), 'export const a = 4444;\n');
    const last = await changedFrom(replaced);
    expect(last).not.toBe(replaced);
    watch.close();
    // what statting every file says
    expect(unwatched(dir, files)).toBe(last);
  });
});
