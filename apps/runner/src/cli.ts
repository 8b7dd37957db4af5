import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isWarehouseError } from '@warehouse/core';
import { Output, type OutputStreams } from './output.js';
import type * as build from './commands/build.js';
import type * as demo from './commands/demo.js';
import type * as kpi from './commands/kpi.js';
import type * as load from './commands/load.js';
import type * as ls from './commands/ls.js';
import type * as seedDemo from './commands/seed-demo.js';
import type * as server from './commands/server.js';
import type * as test from './commands/test.js';
import { SEED_DEMO_DEFAULTS } from './commands/seed-demo-defaults.js';
import { FreshProcessNeeded } from './project/evaluation-thread.js';

const runnerVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export { useCoreModule } from './project/core-module.js';

/** Exit codes: 0 ok, 1 a model or test failed, 2 usage, configuration or connection error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const positiveInteger = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
};
const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
};
const positiveNumber = (value: string) => {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a number above 0');
  return n;
};
const isoDate = (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return value;
};

function common(command: Command): Command {
  return command
    .option('--target <name>', 'target from warehouse.config.ts (default: WAREHOUSE_TARGET or the config default)')
    .option('--threads <n>', 'models built at once (PGlite always uses 1)', positiveInteger)
    .option('--project-dir <dir>', 'project root (default: the nearest folder with warehouse.config.ts)')
    .option('--json', 'print the result as JSON on stdout (logs go to stderr)')
    .option('--debug', 'print resolved settings, every query, and stacks of errors');
}

function selection(command: Command): Command {
  return command
    .option('-s, --select <selector...>', 'models to include, in dbt selection syntax (name, +name, name+, tag:x, domain:x, ...)')
    .option('--exclude <selector...>', 'models to leave out, same syntax')
    .option('--selector <name>', 'a named selection from warehouse.config.ts selectors');
}

type Runner<O> = (options: O, output: Output) => Promise<number>;

/**
 * A command's `run`, imported when the command is invoked: a start-up loads the code of one
 * command, not of all of them (the demo's generator, say, only for seed-demo and demo).
 */
const lazy =
  <O>(load: () => Promise<{ run: Runner<O> }>): Runner<O> =>
  async (options, output) =>
    (await load()).run(options, output);

/** Builds the program; `exit` receives each command's exit code. Output goes to `io` (default: stdout and stderr). */
export function createProgram(exit: (code: number) => void, io?: CliStreams): Command {
  const program = new Command('warehouse')
    .description('Build the company data warehouse: typed models from every domain package, one graph, PostgreSQL.')
    .version(runnerVersion, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  if (io) program.configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });

  const action =
    <O extends { json?: boolean; debug?: boolean }>(runner: Runner<O>) =>
    async (options: O) => {
      const tty = (io ? io.tty : process.stdout.isTTY === true) && options.json !== true;
      const output = new Output({ json: options.json === true, debug: options.debug === true, tty, ...(io ? { streams: io } : {}) });
      try {
        exit(await runner(options, output));
      } catch (error) {
        // the compile server hands this compile back to its client
        if (error instanceof FreshProcessNeeded) throw error;
        output.error(error);
        exit(EXIT.usage);
      } finally {
        output.close();
      }
    };

  selection(common(program.command('build')))
    .description('compile the selected models and build them in dependency order (exit 1 if any fails)')
    .option('--full-refresh', 'rebuild incremental models (and rebuildable snapshots) from scratch')
    .option('--store-failures', 'keep the failing rows of every data test in the audit schema')
    .action(action<build.BuildOptions>(lazy(() => import('./commands/build.js'))));

  selection(common(program.command('test')))
    .description('run the data tests of the selected models and sources against what is built (exit 1 if an error test fails)')
    .option('--store-failures', 'keep the failing rows of every data test in the audit schema')
    .action(action<test.TestCommandOptions>(lazy(() => import('./commands/test.js'))));

  const source = program.command('source').description('commands about the landed sources');
  selection(common(source.command('freshness')))
    .description('check how old the newest landed row of each source is (exit 1 past an error threshold)')
    .option('--now <timestamp>', 'measure ages from this time instead of now (ISO)')
    .action(action(lazy(() => import('./commands/source-freshness.js'))));

  selection(common(program.command('compile')))
    .description('validate the project and write target/manifest.json and target/compiled/ without a database')
    .action(action(lazy(() => import('./commands/compile.js'))));

  selection(common(program.command('ls')))
    .description('list the selected models in dependency order')
    .option('-l, --long', 'show domain, kind, materialization, access and tags')
    .action(action<ls.LsOptions>(lazy(() => import('./commands/ls.js'))));

  common(program.command('seed-demo'))
    .description('create the landing tables and deliver deterministic demo data for a period (call again with a later period to append)')
    .addOption(new Option('--scale <n>', 'size: 1 is about a million order lines a year').argParser(positiveNumber).default(SEED_DEMO_DEFAULTS.scale))
    .addOption(new Option('--seed <n>', 'random seed; the same seed and arguments give the same data').argParser(integer).default(SEED_DEMO_DEFAULTS.seed))
    .addOption(new Option('--from <date>', 'first day to deliver (YYYY-MM-DD)').argParser(isoDate).default(SEED_DEMO_DEFAULTS.from))
    .addOption(new Option('--to <date>', 'last day to deliver (YYYY-MM-DD)').argParser(isoDate).default(SEED_DEMO_DEFAULTS.to))
    .option('--files <dir>', 'write the deliveries as CSV files in this new folder (<system>/<table>.csv) instead of landing them; land them with load --delivery')
    .action(action<seedDemo.SeedDemoCommandOptions>(lazy(() => import('./commands/seed-demo.js'))));

  common(program.command('load'))
    .description('land delivered CSV or NDJSON files in a source\'s landing table; malformed rows go to warehouse_meta.quarantine (exit 1 if a file could not be loaded)')
    .argument('[source]', 'the source, e.g. sales.orders (or raw_sales.orders)')
    .argument('[files...]', 'files to load, each in its own transaction')
    .option('--delivery <dir>', 'load every file of a delivery folder into the source its path names: sales/orders.csv, sales.orders.ndjson')
    .addOption(new Option('--format <format>', 'file format (default: from the extension: .csv, .tsv, .ndjson, .jsonl)').choices(['csv', 'ndjson']))
    .option('--delimiter <char>', 'CSV field delimiter (default: , or a tab for .tsv; \\t for a tab)')
    .option('--no-header', 'the CSV has no header line: its columns are the source\'s, in order, without the loaded-at column')
    .option('--columns <names>', 'the columns of a CSV without a header, comma-separated, in file order', (value: string) => value.split(',').map((c) => c.trim()))
    .option('--max-bad-rows <n>', 'fail a file (and land nothing from it) when more rows than this are malformed; without it, a file in which no row fits fails', integer)
    .option('--force', 'load a file again although the same content was loaded into the source before')
    .option('--index-build-memory <MB>', 'maintenance_work_mem of each index build after a first load into an empty table, raised for that build alone (default 256; a server set higher keeps its own)', integer)
    .action((sourceName: string | undefined, files: string[], options: load.LoadCommandOptions) =>
      action<load.LoadCommandOptions>(async (o, output) => (await import('./commands/load.js')).run(sourceName, files, o, output))(options),
    );

  selection(common(program.command('demo')))
    .description('seed a year of demo data and build the whole warehouse on it (embedded PGlite unless DATABASE_URL is set)')
    .addOption(new Option('--scale <n>', 'demo data size').argParser(positiveNumber).default(SEED_DEMO_DEFAULTS.scale))
    .addOption(new Option('--seed <n>', 'random seed').argParser(integer).default(SEED_DEMO_DEFAULTS.seed))
    .action(action<demo.DemoOptions>(lazy(() => import('./commands/demo.js'))));

  const serverCommand = program.command('server').description('a compile server: keeps the project warm so `warehouse compile` answers in a fraction of the time');
  const serverAction = (name: 'start' | 'stop' | 'status' | 'run', description: string, hidden = false) => {
    const command = serverCommand
      .command(name, { hidden })
      .description(description)
      .option('--project-dir <dir>', 'project root (default: the nearest folder with warehouse.config.ts)')
      .option('--json', 'print the result as JSON on stdout (logs go to stderr)')
      .option('--debug', 'print stacks of errors');
    if (name === 'start' || name === 'run') command.option('--idle-minutes <n>', 'stop after this many minutes without a compile', positiveNumber, 60);
    command.action(action<server.ServerOptions>(async (o, output) => (await import('./commands/server.js')).run(name, o, output)));
  };
  serverAction('start', 'start a compile server for the project, in the background');
  serverAction('stop', "stop the project's compile server");
  serverAction('status', "whether a compile server runs for the project, and what it served (exit 1 if none)");
  serverAction('run', 'run the compile server in the foreground (what start runs)', true);

  common(program.command('kpi'))
    .description('compute KPIs over the built models for a period (all of them without names)')
    .argument('[names...]', 'KPIs to compute, e.g. revenue gross_margin')
    .option('--from <date>', 'first day of the period (default: 364 days before --to)', isoDate)
    .option('--to <date>', 'last day of the period (default: today, UTC)', isoDate)
    .option('--domain <domain>', 'only the KPIs of this domain')
    .action((names: string[], options: kpi.KpiOptions) => action<kpi.KpiOptions>(async (o, output) => (await import('./commands/kpi.js')).run(names, o, output))(options));

  return program;
}

/** Streams a CLI run writes to other than this process's own, and whether they are a terminal. */
export interface CliStreams extends OutputStreams {
  tty: boolean;
}

/** Runs the CLI and resolves to its exit code. */
export async function main(argv: readonly string[], io?: CliStreams): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram((c) => {
    code = c;
  }, io);
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof FreshProcessNeeded) throw error;
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    (io ?? process).stderr.write(`error: ${isWarehouseError(error) ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
  return code;
}
