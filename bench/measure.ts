import { spawn } from 'node:child_process';

/** One figure of the benchmark: the value, the baseline measured in the same run, their ratio. */
export interface Figure {
  name: string;
  unit: 's' | 'MB' | 'ratio';
  value: Stats | null;
  baseline: Stats | null;
  /** value / baseline on medians, or baseline / value for a throughput (`ratioOf`). */
  ratio: number | null;
  /** How the ratio is taken: `value / baseline` (the default: lower is better) or `baseline / value`. */
  ratioOf?: 'value / baseline' | 'baseline / value';
  /**
   * For a figure whose value and baseline were measured side by side in each run: the median of
   * the run-by-run ratios, steadier than the ratio of medians when the machine drifts between runs.
   */
  pairedRatio?: number;
  target?: string;
  note?: string;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length };
}

/** `paired`: the i-th value and the i-th baseline were measured in the same run, one after the other. */
export function figure(
  name: string,
  unit: Figure['unit'],
  value: number[] | null,
  baseline: number[] | null,
  { paired, ...extra }: Partial<Figure> & { paired?: boolean } = {},
): Figure {
  const v = value && value.length > 0 ? stats(value) : null;
  const b = baseline && baseline.length > 0 ? stats(baseline) : null;
  const ratioOf = (x: number, base: number) => (extra.ratioOf === 'baseline / value' ? (x > 0 ? base / x : null) : base > 0 ? x / base : null);
  const ratio = !v || !b ? null : ratioOf(v.median, b.median);
  const pairs = paired && value && baseline && value.length === baseline.length && value.length > 1 ? value.map((x, i) => ratioOf(x, baseline[i]!)) : [];
  const pairedRatio = pairs.length > 0 && pairs.every((r) => r !== null) ? stats(pairs as number[]).median : undefined;
  return { name, unit, value: v, baseline: b, ratio, ...(pairedRatio === undefined ? {} : { pairedRatio }), ...extra };
}

export interface ProcessRun {
  seconds: number;
  /** Peak resident set size of the process, in MB (from /usr/bin/time). */
  peakMb: number;
  /** CPU seconds the process (not its children) spent in the kernel (from /usr/bin/time). */
  kernelSeconds: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command under /usr/bin/time: wall seconds and peak RSS. */
export function timed(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M %S', command, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const lines = stderr.trimEnd().split('\n');
      const [peakKb, kernel] = (lines.pop() ?? '').split(' ').map(Number);
      resolve({ seconds, peakMb: peakKb! / 1024, kernelSeconds: kernel!, code: code ?? -1, stdout, stderr: lines.join('\n') });
    });
  });
}

export async function mustSucceed(run: Promise<ProcessRun>, what: string): Promise<ProcessRun> {
  const result = await run;
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stderr.slice(-2000)}\n${result.stdout.slice(-2000)}`);
  return result;
}
