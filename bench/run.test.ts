import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { pgServerAvailable, testServerUrl } from '@warehouse/core/testing';
import type { Figure } from './measure.js';

const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

/** `npm run bench` as a user runs it, tiny: its exit code, output and JSON report. */
function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['--conditions=source', join(ROOT, 'bench/run.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testServerUrl, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const benchDatabases = async (): Promise<string[]> => {
  const client = new pg.Client({ connectionString: testServerUrl });
  await client.connect();
  try {
    return (await client.query<{ datname: string }>(`select datname from pg_database where datname like 'wh_bench_%'`)).rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
};

const server = await pgServerAvailable();
const scratch = mkdtempSync(join(tmpdir(), 'wh-bench-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!server)('npm run bench, at a tiny size on the real server', () => {
  it('measures every figure against its baseline in the same run, prints the table and writes the JSON, and drops its databases', async () => {
    const before = await benchDatabases();
    const json = join(scratch, 'report.json');
    const run = await bench([
      '--only', 'compile,build,load', '--compile-sizes', '20,40', '--scale', '0.01', '--memory-scale', '0.02',
      '--load-rows', '2000', '--runs', '2', '--json', json,
    ]);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { date: string; machine: string; scale: number; runs: number; figures: Figure[] };
    expect(report).toMatchObject({ scale: 0.01, runs: 2 });
    expect(report.machine).toMatch(/cores/);

    const names = report.figures.map((f) => f.name);
    expect(names).toEqual([
      'compile 20 models, cold (s)',
      'compile 20 models, cold, against esbuild-only bundling (s)',
      'compile 20 models, warm (s)',
      'compile 20 models, warm, compile server (s)',
      'compile 20 models, peak RSS (MB)',
      'compile 40 models, cold (s)',
      'compile 40 models, cold, against esbuild-only bundling (s)',
      'compile 40 models, warm (s)',
      'compile 40 models, warm, compile server (s)',
      'compile 40 models, peak RSS (MB)',
      'compile growth 2x models (cold time ratio)',
      'build scale 0.01, threads 1 (s)',
      'build scale 0.01, threads 4 (s)',
      'one nightly increment, scale 0.01 (s)',
      'peak RSS building scale 0.02 (MB)',
      'load 2,000-line CSV into an empty landing table (s)',
      'load the same CSV into a landing table holding rows (s)',
    ]);
    for (const f of report.figures) {
      // every figure measured, with its baseline from the same run and the ratio of the two
      expect(f.value, f.name).not.toBeNull();
      expect(f.baseline, f.name).not.toBeNull();
      const { value, baseline } = f as { value: NonNullable<Figure['value']>; baseline: NonNullable<Figure['baseline']> };
      expect(value.median, f.name).toBeGreaterThan(0);
      expect(baseline.median, f.name).toBeGreaterThan(0);
      expect(value.min <= value.median && value.median <= value.max, f.name).toBe(true);
      const expected = f.ratioOf === 'baseline / value' ? baseline.median / value.median : value.median / baseline.median;
      expect(f.ratio, f.name).toBeCloseTo(expected, 9);
      expect(run.stdout, f.name).toContain(f.name);
    }
    // the figures measured side by side in each run carry the run-by-run ratio too
    for (const name of ['compile 40 models, cold (s)', 'build scale 0.01, threads 1 (s)', 'one nightly increment, scale 0.01 (s)', 'load 2,000-line CSV into an empty landing table (s)']) {
      expect(report.figures.find((f) => f.name === name)!.pairedRatio, name).toBeGreaterThan(0);
    }
    expect(report.figures.find((f) => f.name.startsWith('load 2,000'))!).toMatchObject({ ratioOf: 'baseline / value', target: 'ratio >= 0.70' });
    expect(run.stdout).toMatch(/^\| figure +\| value median \(min-max\) +\| baseline +\| ratio +\| paired +\| target/m);
    expect(run.stdout).toContain(`JSON: ${json}`);
    // each database it made is dropped
    expect((await benchDatabases()).filter((d) => !before.includes(d))).toEqual([]);
  }, 600_000);
});
