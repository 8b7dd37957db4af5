import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildFigures } from './build-bench.js';
import { compileFigures } from './compile-bench.js';
import { loadFigures } from './load-bench.js';
import type { Figure } from './measure.js';

/**
 * `npm run bench [-- --scale N] [-- --json FILE]`: the performance figures of the warehouse,
 * each with a baseline measured in the same run and their ratio. Needs the real PostgreSQL
 * server (DATABASE_URL, or the local one).
 */
const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    'memory-scale': { type: 'string' },
    runs: { type: 'string', default: '3' },
    json: { type: 'string', default: join(import.meta.dirname, 'results', 'latest.json') },
    only: { type: 'string', default: 'compile,build,load' },
    'load-rows': { type: 'string', default: '2000000' },
    'compile-sizes': { type: 'string', default: '1000,10000' },
  },
});
const scale = Number(values.scale);
const runs = Number(values.runs);
const only = new Set(values.only!.split(','));
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const started = new Date();
const figures: Figure[] = [];
if (only.has('compile')) figures.push(...(await compileFigures(values['compile-sizes']!.split(',').map(Number), runs, log)));
// build = overhead (threads 1 vs psql, threads 4), nightly and memory; each can be asked alone
const overhead = only.has('build') || only.has('overhead');
const nightly = only.has('build') || only.has('nightly');
const memory = only.has('build') || only.has('memory');
if (overhead || nightly || memory) {
  const memoryScale = values['memory-scale'] === undefined ? scale * 4 : Number(values['memory-scale']);
  figures.push(...(await buildFigures(serverUrl, scale, runs, log, memoryScale, { overhead, nightly, memory })));
}
if (only.has('load')) figures.push(...(await loadFigures(serverUrl, Number(values['load-rows']), runs, log)));

const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const report = { date: started.toISOString(), machine, scale, runs, figures };
mkdirSync(dirname(values.json!), { recursive: true });
writeFileSync(values.json!, `${JSON.stringify(report, null, 2)}\n`);

const fmt = (n: number | undefined, unit: string) => (n === undefined ? '-' : unit === 'ratio' ? n.toFixed(3) : unit === 'MB' ? n.toFixed(0) : n.toFixed(2));
const rows = figures.map((f) => [
  f.name,
  f.value ? `${fmt(f.value.median, f.unit)} (${fmt(f.value.min, f.unit)}-${fmt(f.value.max, f.unit)})` : 'missing',
  f.baseline ? fmt(f.baseline.median, f.unit) : '-',
  f.ratio === null ? '-' : f.ratio.toFixed(3),
  f.pairedRatio === undefined ? '' : f.pairedRatio.toFixed(3),
  f.target ?? '',
]);
const header = ['figure', 'value median (min-max)', 'baseline', 'ratio', 'paired', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(`Benchmark ${report.date} on ${machine}\n`);
process.stdout.write(`${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`);
for (const f of figures) if (f.note) process.stdout.write(`  ${f.name}: ${f.note}\n`);
process.stdout.write(`JSON: ${values.json}\n`);
