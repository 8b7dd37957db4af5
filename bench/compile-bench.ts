import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure, mustSucceed, timed, type Figure } from './measure.js';
import { writeGeneratedFiles, writeSyntheticProject } from './synthetic-project.js';

const ROOT = join(import.meta.dirname, '..');
const WARHOUSE_BIN = join(ROOT, 'apps/runner/bin/warehouse.js');

/** `count` one-line ES modules and an index importing them all: the cost of Node's loader alone. */
function writePlainModules(dir: string, count: number): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`m${i}.mjs`] = `export const m${i} = { name: 'm${i}' };\n`;
  files['index.mjs'] = `${Object.keys(files).map((f) => `import './${f}';`).join('\n')}\n`;
  writeGeneratedFiles(dir, files);
  return join(dir, 'index.mjs');
}

/**
 * Compile figures for synthetic projects of each size: cold (no cache: bundles and compiled
 * files removed) and warm (one model file changed since the last compile), from process start
 * to a written manifest, with peak RSS. Baseline: a plain Node import of as many one-line
 * modules, measured in the same run.
 */
export async function compileFigures(sizes: readonly number[], runs: number, log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const cold = new Map<number, number>();
  // cold runs move target/ aside, and everything moved is deleted once all sizes are measured:
  // deleting it between them would slow the file creation of the next cold runs (see writeGeneratedFiles)
  // (what an interrupted run left there goes with it)
  const trash = join(ROOT, 'bench/.work', 'trash');
  mkdirSync(trash, { recursive: true });
  // the runner's own bundle (the tool, not the project) is built before anything is measured
  await mustSucceed(timed(process.execPath, [WARHOUSE_BIN, '--version']), 'warehouse --version');
  for (const size of sizes) {
    const dir = join(ROOT, 'bench/.work', `project-${size}`);
    log(`compile: writing a synthetic project of ${size} models`);
    const project = writeSyntheticProject(dir, { models: size, packages: Math.max(10, Math.round(size / 100)) });
    const plain = writePlainModules(join(ROOT, 'bench/.work', `plain-${size}`), size);
    const compile = (env: NodeJS.ProcessEnv = {}) => mustSucceed(timed(process.execPath, [WARHOUSE_BIN, 'compile', '--project-dir', dir, '--json'], { env }), `compile of ${size} models`);
    const moveTargetAside = (run: number, kind: string) => {
      if (existsSync(join(dir, 'target'))) renameSync(join(dir, 'target'), join(trash, `target-${size}-${kind}-${run}-${process.pid}`));
    };

    const baseline: number[] = [];
    const coldSeconds: number[] = [];
    const coldPeak: number[] = [];
    const coldKernel: number[] = [];
    const baselinePeak: number[] = [];
    const esbuildSeconds: number[] = [];
    for (let run = 0; run < runs; run++) {
      const base = await mustSucceed(timed(process.execPath, [plain]), 'plain import');
      baseline.push(base.seconds);
      baselinePeak.push(base.peakMb);
      // moved aside, deleted after all sizes: deleting 10,000 files just before creating as many
      // costs seconds of kernel time that a fresh checkout never pays
      moveTargetAside(run, 'esbuild');
      // what the type stripper gains: the same cold compile with esbuild bundling every package
      esbuildSeconds.push((await compile({ WAREHOUSE_BUNDLER: 'esbuild' })).seconds);
      moveTargetAside(run, 'cold');
      const result = await compile();
      coldSeconds.push(result.seconds);
      coldPeak.push(result.peakMb);
      coldKernel.push(result.kernelSeconds);
    }
    const warmSeconds: number[] = [];
    for (let run = 0; run < runs; run++) {
      // a real edit: the model's SQL changes, so its compiled file and manifest entry do too
      const file = project.modelFile(Math.floor(size / 2));
      writeFileSync(file, readFileSync(file, 'utf8').replace(' as v', ' + 0 as v'));
      warmSeconds.push((await compile()).seconds);
    }
    // the same edits, answered by a compile server (warehouse server start) that stays up between them
    const server = (action: string) => mustSucceed(timed(process.execPath, [WARHOUSE_BIN, 'server', action, '--project-dir', dir]), `server ${action}`);
    await server('start');
    const servedSeconds: number[] = [];
    try {
      // the server's first compile reads what the last one kept: not an edit loop yet
      await compile();
      for (let run = 0; run < runs; run++) {
        const file = project.modelFile(Math.floor(size / 2));
        writeFileSync(file, readFileSync(file, 'utf8').replace(' as v', ' + 0 as v'));
        servedSeconds.push((await compile()).seconds);
      }
    } finally {
      await server('stop');
    }
    cold.set(size, coldSeconds.sort((a, b) => a - b)[Math.floor(coldSeconds.length / 2)]!);
    const label = size >= 1000 ? `${size / 1000}k` : String(size);
    figures.push(
      figure(`compile ${label} models, cold (s)`, 's', coldSeconds, baseline, { paired: true, target: size === 10_000 ? '< 2 s' : undefined, note: `baseline: plain Node import of ${label} one-line modules` }),
      figure(`compile ${label} models, cold, against esbuild-only bundling (s)`, 's', coldSeconds, esbuildSeconds, { paired: true, note: 'baseline: the same cold compile with WAREHOUSE_BUNDLER=esbuild' }),
      figure(`compile ${label} models, warm (s)`, 's', warmSeconds, baseline, { target: size === 10_000 ? '< 0.3 s' : undefined, note: "one model's SQL changed, a compile in its own process" }),
      figure(`compile ${label} models, warm, compile server (s)`, 's', servedSeconds, baseline, {
        target: size === 10_000 ? '< 0.3 s' : undefined,
        note: "one model's SQL changed, `warehouse compile` answered by a running `warehouse server`",
      }),
      figure(`compile ${label} models, peak RSS (MB)`, 'MB', coldPeak, baselinePeak, { note: 'baseline: the plain import' }),
    );
    // the kernel's share moves with the file system's state (files created soon after many were deleted cost far more)
    log(`compile ${label}: cold ${coldSeconds.map((s) => s.toFixed(2)).join(', ')} s (of the runner's CPU, in the kernel: ${coldKernel.map((s) => s.toFixed(2)).join(', ')} s), esbuild only ${esbuildSeconds.map((s) => s.toFixed(2)).join(', ')} s; warm ${warmSeconds.map((s) => s.toFixed(2)).join(', ')} s; served ${servedSeconds.map((s) => s.toFixed(2)).join(', ')} s`);
  }
  if (sizes.length >= 2) {
    const [small, large] = [sizes[0]!, sizes[sizes.length - 1]!];
    figures.push(
      figure(`compile growth ${large / small}x models (cold time ratio)`, 'ratio', [cold.get(large)! / cold.get(small)!], [large / small], {
        note: 'baseline: the growth in models; a ratio near 1 is linear',
      }),
    );
  }
  rmSync(trash, { recursive: true, force: true });
  return figures;
}
