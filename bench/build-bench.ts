import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, ROOT, warehouse, type Database } from './bench-database.js';
import { figure, mustSucceed, timed, type Figure } from './measure.js';
import { startupOptions } from '@warehouse/core';
import config from '../warehouse.config.js';

const day = (offset: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * The statements a build ran, from its --debug query events, as a psql script: one
 * transaction per model or test, as the executor ran them.
 */
function psqlScript(debugLog: string): string {
  const byNode = new Map<string, string[]>();
  for (const line of debugLog.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { event?: string; node?: string; sql?: string };
    if (event.event !== 'query' || !event.node || !event.sql) continue;
    byNode.set(event.node, [...(byNode.get(event.node) ?? []), event.sql]);
  }
  return [...byNode.values()].map((statements) => `begin;\n${statements.map((s) => `${s};`).join('\n')}\ncommit;\n`).join('\n');
}

/**
 * The session settings of the target the bench builds with (dev), as psql's PGOPTIONS: the
 * baseline runs the statements in sessions set up as the runner's are (JIT off, the planner's
 * page costs), or the two would not run the same plans.
 */
const PSQL_OPTIONS = startupOptions((config.targets?.dev as { sessionSettings?: Record<string, string | number | boolean> } | undefined)?.sessionSettings ?? {});

const psql = (database: Database, file: string) =>
  mustSucceed(timed('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-f', file, database.url], { env: { PGOPTIONS: PSQL_OPTIONS } }), 'psql -f');

/**
 * Build figures on the real server: the whole demo warehouse through `warehouse build`
 * (threads 1) against psql running the same statements serially; threads 4 against 1; one
 * nightly increment against a full rebuild; peak RSS at the scale and at four times it.
 */
export async function buildFigures(
  serverUrl: string,
  scale: number,
  runs: number,
  log: (line: string) => void,
  memoryScale: number,
  parts: { overhead: boolean; nightly: boolean; memory: boolean } = { overhead: true, nightly: true, memory: true },
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const database = await createDatabase(serverUrl);
  try {
    log(`build: seeding the demo at scale ${scale} into a fresh database`);
    await warehouse(database, ['seed-demo', '--scale', String(scale)]);
    await warehouse(database, ['build', '--threads', '4']);

    const peak: number[] = [];
    if (parts.overhead) {
      log('build: capturing the statements of a full rebuild (threads 1)');
      const captured = await warehouse(database, ['build', '--threads', '1', '--full-refresh', '--debug']);
      const script = join(ROOT, 'bench/.work/build.sql');
      mkdirSync(join(ROOT, 'bench/.work'), { recursive: true });
      writeFileSync(script, psqlScript(captured.stderr));

      const one: number[] = [];
      const four: number[] = [];
      const plain: number[] = [];
      for (let run = 0; run < runs; run++) {
        const single = await warehouse(database, ['build', '--threads', '1', '--full-refresh']);
        one.push(single.seconds);
        peak.push(single.peakMb);
        plain.push((await psql(database, script)).seconds);
        four.push((await warehouse(database, ['build', '--threads', '4', '--full-refresh'])).seconds);
        log(`build run ${run + 1}: warehouse ${single.seconds.toFixed(1)} s, psql ${plain[plain.length - 1]!.toFixed(1)} s, threads 4 ${four[four.length - 1]!.toFixed(1)} s`);
      }
      figures.push(
        figure(`build scale ${scale}, threads 1 (s)`, 's', one, plain, { paired: true, target: 'ratio <= 1.10', note: 'baseline: psql -f of the same statements, serially' }),
        figure(`build scale ${scale}, threads 4 (s)`, 's', four, one, { paired: true, note: 'baseline: threads 1' }),
      );
    }

    const nightly: number[] = [];
    const full: number[] = [];
    for (let run = 0; run < (parts.nightly ? runs : 0); run++) {
      await warehouse(database, ['seed-demo', '--scale', String(scale), '--from', day(run), '--to', day(run)]);
      const increment = await warehouse(database, ['build', '--threads', '4']);
      nightly.push(increment.seconds);
      full.push((await warehouse(database, ['build', '--threads', '4', '--full-refresh'])).seconds);
      log(`incremental run ${run + 1}: nightly ${increment.seconds.toFixed(1)} s, full ${full[full.length - 1]!.toFixed(1)} s`);
    }
    if (parts.nightly) figures.push(figure(`one nightly increment, scale ${scale} (s)`, 's', nightly, full, { paired: true, target: 'ratio <= 0.05', note: 'baseline: a full rebuild of the same data' }));

    if (parts.memory) {
      // the scale's own peak comes from the overhead runs, or is measured here when they did not run
      if (!parts.overhead) for (let run = 0; run < Math.min(runs, 2); run++) peak.push((await warehouse(database, ['build', '--threads', '1', '--full-refresh'])).peakMb);
      figures.push(memoryScale > 0 ? await peakAtScale(serverUrl, memoryScale, scale, peak, runs, log) : figure(`peak RSS building scale ${scale} (MB)`, 'MB', peak, null, { note: 'the runner process, threads 1' }));
    }
  } finally {
    await database.drop();
  }
  return figures;
}

/** Peak RSS of full rebuilds at a larger scale, against the peaks at the bench's scale: flat when the data stays in Postgres. */
async function peakAtScale(serverUrl: string, memoryScale: number, scale: number, baselinePeaks: number[], runs: number, log: (line: string) => void): Promise<Figure> {
  const larger = await createDatabase(serverUrl);
  try {
    log(`memory: seeding scale ${memoryScale}`);
    await warehouse(larger, ['seed-demo', '--scale', String(memoryScale)]);
    await warehouse(larger, ['build', '--threads', '4']);
    const peaks: number[] = [];
    for (let run = 0; run < Math.min(runs, 2); run++) peaks.push((await warehouse(larger, ['build', '--threads', '1', '--full-refresh'])).peakMb);
    return figure(`peak RSS building scale ${memoryScale} (MB)`, 'MB', peaks, baselinePeaks, { target: 'ratio ~ 1 (data stays in Postgres)', note: `baseline: scale ${scale}` });
  } finally {
    await larger.drop();
  }
}
