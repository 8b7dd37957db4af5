import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { countByStatus, isWarehouseError, type NodeResult, type RunEvent, type RunEventListener, type RunResult } from '@warehouse/core';

type LogUpdate = typeof import('log-update').default;

export interface OutputOptions {
  /** Print the command's result as one JSON document on stdout; logs go to stderr. */
  json: boolean;
  /** Log every query and the resolved settings; print stacks of unexpected errors. */
  debug: boolean;
  /** Render for a person (colours, live progress) instead of JSON log lines. */
  tty: boolean;
  /** Where output goes (default: this process's stdout and stderr; the compile server passes its client's). */
  streams?: OutputStreams;
}

/** The two streams output is written to. */
export interface OutputStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const processStreams: OutputStreams = { stdout: process.stdout, stderr: process.stderr };

// NO_COLOR (https://no-color.org) turns colours off
const colour = (code: number) => (text: string) => (process.env.NO_COLOR ? text : `\u001b[${code}m${text}\u001b[0m`);
const green = colour(32);
const red = colour(31);
const yellow = colour(33);
const dim = colour(2);
const bold = colour(1);

/**
 * All terminal output of the CLI goes through here. On a TTY: readable lines and a live
 * progress block. Otherwise: pino JSON log lines (on stdout, or stderr with --json), so
 * schedulers and CI can parse them. `--json` adds one JSON result document on stdout.
 */
export class Output {
  readonly options: OutputOptions;
  private readonly logger: Logger | undefined;
  private readonly running = new Map<string, { name: string; started: number }>();
  private ticker: NodeJS.Timeout | undefined;
  private progressTotal = 0;
  private progressDone = 0;
  /** The live progress block, loaded for a terminal only (until it is, progress is not drawn). */
  private logUpdate: LogUpdate | undefined;

  private readonly stdout: OutputStreams['stdout'];
  private readonly stderr: OutputStreams['stderr'];

  constructor(options: OutputOptions) {
    this.options = options;
    ({ stdout: this.stdout, stderr: this.stderr } = options.streams ?? processStreams);
    if (options.tty) {
      void import('log-update').then(
        (m) => (this.logUpdate = m.default),
        () => undefined,
      );
    }
    if (!options.tty) {
      // loaded only for log lines: a terminal never needs it
      const pino = createRequire(import.meta.url)('pino') as typeof import('pino');
      this.logger = pino(
        { level: options.debug ? 'debug' : 'info', base: { app: 'warehouse' }, timestamp: pino.stdTimeFunctions.isoTime },
        options.streams ? (options.json ? this.stderr : this.stdout) : pino.destination({ dest: options.json ? 2 : 1, sync: true }),
      );
    }
  }

  info(message: string, fields: Record<string, unknown> = {}): void {
    if (this.logger) this.logger.info(fields, message);
    else this.human(message);
  }

  debug(message: string, fields: Record<string, unknown> = {}): void {
    if (!this.options.debug) return;
    if (this.logger) this.logger.debug(fields, message);
    else this.human(dim(`${message}${Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`));
  }

  warn(message: string, fields: Record<string, unknown> = {}): void {
    if (this.logger) this.logger.warn(fields, message);
    else this.human(yellow(`warning: ${message}`), true);
  }

  /** Reports an error that stops the command. Stacks only with --debug or for unexpected errors. */
  error(error: unknown): void {
    const known = isWarehouseError(error);
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error && (this.options.debug || !known) ? error.stack : undefined;
    if (this.logger) {
      this.logger.error({ code: known ? error.code : 'INTERNAL', ...(stack ? { stack } : {}) }, message);
    } else {
      this.human(red(`error: ${message}`), true);
      if (stack && this.options.debug) this.human(dim(stack), true);
      else if (!known) this.human(dim('(an unexpected error: run again with --debug for the stack)'), true);
    }
  }

  /** Plain result text for the user (a model list, a KPI table), on stdout. */
  text(lines: string | string[]): void {
    if (this.options.json) return;
    this.stdout.write(`${Array.isArray(lines) ? lines.join('\n') : lines}\n`);
  }

  /**
   * The command's result as one line of JSON, printed only with --json: for the program that
   * reads it (`| jq` for a person); a 10,000-model compile's result indented was 50,000 lines.
   */
  result(value: unknown): void {
    if (this.options.json) this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Renders executor events: a live block on a TTY, log lines otherwise. */
  runListener(): RunEventListener {
    return (event: RunEvent) => (this.logger ? this.logEvent(event) : this.renderEvent(event));
  }

  close(): void {
    this.stopTicker();
  }

  private human(line: string, toStderr = false): void {
    if (this.ticker) this.logUpdate?.clear();
    (toStderr ? this.stderr : this.stdout).write(`${line}\n`);
    if (this.ticker) this.drawProgress();
  }

  private logEvent(event: RunEvent): void {
    const log = this.logger!;
    switch (event.type) {
      case 'run-started':
        log.info({ event: event.type, runId: event.runId, target: event.target, nodes: event.nodes, threads: event.threads, location: event.location }, `run started: ${event.nodes} model(s) on ${event.location}`);
        break;
      case 'node-started':
        log.info({ event: event.type, node: event.name, index: event.index, total: event.total }, `${event.name} started`);
        break;
      case 'node-finished': {
        const r = event.result;
        const fields = { event: event.type, node: r.name, status: r.status, durationMs: r.durationMs, rowsAffected: r.rowsAffected, error: r.error };
        if (r.status === 'error') log.error(fields, r.message);
        else if (r.status === 'skipped' || r.status === 'warn') log.warn(fields, `${r.name}: ${r.message}`);
        else log.info(fields, `${r.name}: ${r.message}`);
        break;
      }
      case 'retry':
        log.warn({ event: event.type, node: event.id, attempt: event.attempt }, `retrying ${event.id}: ${event.reason}`);
        break;
      case 'query':
        log.debug({ event: event.type, node: event.id, sql: event.sql }, 'query');
        break;
      case 'run-finished':
        log.info({ event: event.type, ...countByStatus(event.result.results), durationMs: event.result.durationMs }, summaryLine(event.result));
        break;
    }
  }

  private renderEvent(event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        this.progressTotal = event.nodes;
        this.progressDone = 0;
        this.human(`Building ${event.nodes} model(s) on ${event.location} with ${event.threads} thread(s)`);
        this.startTicker();
        break;
      case 'node-started':
        this.running.set(event.id, { name: event.name, started: Date.now() });
        this.drawProgress();
        break;
      case 'node-finished':
        this.running.delete(event.result.id);
        this.progressDone = event.index;
        this.human(resultLine(event.result, event.index, event.total));
        break;
      case 'retry':
        this.human(yellow(`  retrying ${event.id} (attempt ${event.attempt}): ${event.reason}`));
        break;
      case 'query':
        this.debug(event.sql);
        break;
      case 'run-finished':
        this.stopTicker();
        this.human(summaryLine(event.result));
        break;
    }
  }

  private startTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => this.drawProgress(), 200);
    this.ticker.unref();
  }

  private stopTicker(): void {
    if (!this.ticker) return;
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.logUpdate?.clear();
  }

  private drawProgress(): void {
    if (!this.ticker) return;
    const now = Date.now();
    const lines = [...this.running.values()].map((r) => dim(`  ⠿ ${r.name} ${((now - r.started) / 1000).toFixed(1)}s`));
    this.logUpdate?.([bold(`[${this.progressDone}/${this.progressTotal}]`), ...lines].join('\n'));
  }
}

function resultLine(r: NodeResult, index: number, total: number): string {
  const counter = dim(`${String(index).padStart(String(total).length)}/${total}`);
  const seconds = dim(`${(r.durationMs / 1000).toFixed(2)}s`);
  switch (r.status) {
    case 'success':
      if (r.resourceType === 'test') return `${counter} ${green('PASS')}  ${r.name} ${seconds}`;
      return `${counter} ${green('OK')}    ${r.name} ${dim(r.message.replace(/^built /, ''))} ${seconds}`;
    case 'warn':
      return `${counter} ${yellow('WARN')}  ${r.name} ${r.message} ${seconds}`;
    case 'skipped':
      return `${counter} ${yellow('SKIP')}  ${r.name} ${dim(r.message)}`;
    case 'error':
      return `${counter} ${red('ERROR')} ${r.name} ${seconds}\n${r.message.replace(/^/gm, '        ')}`;
  }
}

export function summaryLine(result: RunResult): string {
  const c = countByStatus(result.results);
  const parts = [`${c.success} ok`, `${c.error} failed`, `${c.skipped} skipped`];
  if (c.warn > 0) parts.splice(1, 0, `${c.warn} warned`);
  return `Finished in ${(result.durationMs / 1000).toFixed(1)}s: ${parts.join(', ')}${result.cancelled ? ' (stopped early)' : ''}`;
}
