import { chmodSync, mkdirSync, readFileSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonFile, watchFingerprintedFiles, writeAtomically } from '../project/file-stamps.js';
import { EvaluationThread, FreshProcessNeeded } from '../project/evaluation-thread.js';
import { IncrementalBundler } from '../project/incremental-bundler.js';
import { SERVED_COMMANDS } from '../../bin/served-commands.mjs';
import { compileSession } from './compile-session.js';
import { serverRecordFile, socketPathOf, statusOf, type ServerAnswer, type ServerRecord, type ServerRequest } from './server-record.js';

export interface CompileServerOptions {
  /** Stop after this many minutes without a request. */
  idleMinutes: number;
  /** Lines for the server's log. */
  log: (line: string) => void;
  /** Called once it stopped because the runner's sources changed: start its successor. */
  onRunnerChanged?: () => void;
}

/**
 * A compile server: a process that stays up between compiles of one project and answers
 * `warehouse compile` for the CLI (bin/compile-client.mjs), so a warm compile costs a Node
 * start and a round trip instead of loading the runner, reading every package's compiled part
 * and starting esbuild each time. It runs the very command the CLI runs, with the client's
 * arguments, working folder and environment; what it keeps between compiles is only what a
 * process would otherwise read back from target/cache/ (see compile-session.ts), and each
 * compile evaluates packages in a fresh module cache (see EvaluationThread).
 *
 * It declines, and the client compiles in its own process, when the client runs another
 * runner, when the runner's sources changed since the server started (it then stops), or when
 * a package's definitions hold values that are not data. It serves one compile at a time.
 * Resolves when it stops: on `stop`, after `idleMinutes` without a request, or when the
 * runner's sources changed (then `onRunnerChanged` starts a server of the new runner).
 */
export async function runCompileServer(rootDir: string, options: CompileServerOptions): Promise<void> {
  const runner = runnerBundleDir();
  if (!runner) throw new Error('the compile server runs only from the runner bundle (bin/warehouse.js), not from sources');
  const { main } = await import('../cli.js');
  const socket = socketPathOf(rootDir);
  const recordFile = serverRecordFile(rootDir);
  // two compiles at a terminal may each start one: while one answers, another leaves
  const running = await statusOf(rootDir);
  if (running) {
    options.log(`a compile server already runs for ${rootDir} (pid ${running.pid}): not starting another`);
    return;
  }
  const thread = new EvaluationThread();
  const bundler = new IncrementalBundler();
  compileSession.thread = thread;
  compileSession.bundler = bundler;
  let served = 0;
  let declined = 0;
  let queue = Promise.resolve();
  // a change to the runner's sources stops the server soon (an editor may write several files), for a successor to take over
  const runnerChanged = watchRunnerSources(runner, () => setTimeout(() => stop(), 300).unref());
  // what is current is told by the file system's change events, not by statting every file
  const fingerprints = watchFingerprintedFiles();
  const startedAt = new Date().toISOString();

  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let idle: NodeJS.Timeout | undefined;
  const resetIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      options.log(`no request for ${options.idleMinutes} minute(s): stopping`);
      stop();
    }, options.idleMinutes * 60_000);
  };

  /** Why the server leaves a request to the CLI, if it does. */
  const declineReasonOf = (request: Extract<ServerRequest, { type: 'compile' }>): string | undefined => {
    if (request.runner !== runner.name) return 'the client runs another runner';
    if (runnerChanged.changed) return "the runner's sources changed";
    if (request.rootDir !== rootDir) return 'another project';
    if (!SERVED_COMMANDS.has(request.args[0] ?? '')) return `${request.args[0] ?? 'no command'} is not a command the server answers`;
    return undefined;
  };

  const answerCompile = async (request: Extract<ServerRequest, { type: 'compile' }>): Promise<ServerAnswer | Reply> => {
    const reason = declineReasonOf(request);
    if (reason) {
      declined++;
      if (runnerChanged.changed) stop();
      return { type: 'declined', reason };
    }
    // change events of edits made before the request (they were queued when the files were
    // written) are taken in before anything is fingerprinted
    await new Promise((resolve) => setImmediate(resolve));
    const stdout: string[] = [];
    const stderr: string[] = [];
    const started = performance.now();
    try {
      const code = await withProcessState(request.cwd, request.env, () =>
        main(['node', 'warehouse', ...request.args], { tty: request.tty, stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) } }),
      );
      served++;
      options.log(`${request.args.join(' ')}: exit ${code} in ${Math.round(performance.now() - started)} ms`);
      return { answer: { type: 'done', code, stdoutBytes: 0, stderrBytes: 0 }, stdout: stdout.join(''), stderr: stderr.join('') };
    } catch (error) {
      if (!(error instanceof FreshProcessNeeded)) throw error;
      declined++;
      options.log(`declined a compile: ${error.message}`);
      return { type: 'declined', reason: error.message };
    } finally {
      // the next compile imports packages into a fresh module cache
      thread.renew();
    }
  };

  const answer = async (request: ServerRequest): Promise<ServerAnswer | Reply> => {
    switch (request.type) {
      case 'compile':
        return answerCompile(request);
      case 'status':
        return { type: 'status', pid: process.pid, rootDir, startedAt, served, declined };
      case 'stop':
        stop();
        return { type: 'stopping' };
    }
  };

  const server = createServer((connection: Socket) => {
    let buffered = '';
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      const line = buffered.slice(0, newline);
      buffered = '';
      resetIdle();
      // one compile at a time: they write the same files
      queue = queue.then(async () => {
        let reply: ServerAnswer | Reply;
        try {
          reply = await answer(JSON.parse(line) as ServerRequest);
        } catch (error) {
          options.log(`a request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          reply = { type: 'declined', reason: `the compile server failed: ${error instanceof Error ? error.message : String(error)}` };
        }
        if ('answer' in reply) {
          const stdout = Buffer.from(reply.stdout);
          const stderr = Buffer.from(reply.stderr);
          connection.write(`${JSON.stringify({ ...reply.answer, stdoutBytes: stdout.length, stderrBytes: stderr.length })}\n`);
          connection.write(stdout);
          connection.end(stderr);
        } else connection.end(`${JSON.stringify(reply)}\n`);
      });
    });
    connection.on('error', () => undefined);
  });

  // a socket left by a server that was killed
  rmSync(socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  // compiles run as this user, with the environment a client sends: no one else may connect
  chmodSync(socket, 0o600);
  mkdirSync(dirname(recordFile), { recursive: true });
  const record: ServerRecord = { pid: process.pid, socket, runner: runner.name, rootDir, startedAt };
  writeAtomically(recordFile, JSON.stringify(record));
  options.log(`listening on ${socket} for ${rootDir} (runner ${runner.name}, pid ${process.pid})`);
  resetIdle();

  await stopped;
  clearTimeout(idle);
  runnerChanged.close();
  fingerprints.close();
  // the record goes first: a client that still finds it gets a refused connection and compiles itself
  if (readJsonFile<ServerRecord>(recordFile)?.pid === process.pid) rmSync(recordFile, { force: true });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await queue;
  rmSync(socket, { force: true });
  await thread.close();
  await bundler.dispose();
  compileSession.thread = undefined;
  compileSession.bundler = undefined;
  options.log(runnerChanged.changed ? "stopped: the runner's sources changed" : 'stopped');
  if (runnerChanged.changed) options.onRunnerChanged?.();
}

/** A compile's answer with what it printed. */
interface Reply {
  answer: Extract<ServerAnswer, { type: 'done' }>;
  stdout: string;
  stderr: string;
}

/** Whether the runner runs from its bundle: the compile server runs only so. */
export const runsFromBundle = (): boolean => runnerBundleDir() !== undefined;

/** The runner bundle this module runs from (its folder and the runner's root), or undefined from sources. */
function runnerBundleDir(): { name: string; path: string } | undefined {
  const path = dirname(fileURLToPath(import.meta.url));
  const name = basename(path);
  return name.startsWith('.bundle-') ? { name, path } : undefined;
}

/**
 * Watches the files the runner bundle was built from (listed in apps/runner/.bundle.json):
 * a server must not go on compiling with code its sources no longer say.
 */
function watchRunnerSources(runner: { name: string; path: string }, onChange: () => void): { readonly changed: boolean; close(): void } {
  const runnerDir = dirname(runner.path);
  const root = join(runnerDir, '..', '..');
  const state = { changed: false };
  const changed = () => {
    if (state.changed) return;
    state.changed = true;
    onChange();
  };
  const watchers: FSWatcher[] = [];
  try {
    const manifest = JSON.parse(readFileSync(join(runnerDir, '.bundle.json'), 'utf8')) as { dir: string; inputs: string[] };
    if (manifest.dir !== runner.name) changed();
    const byFolder = new Map<string, Set<string>>();
    for (const input of manifest.inputs) {
      const file = join(root, input);
      const folder = dirname(file);
      if (!byFolder.has(folder)) byFolder.set(folder, new Set());
      byFolder.get(folder)!.add(basename(file));
    }
    for (const [folder, names] of byFolder) {
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) changed();
      });
      watcher.on('error', changed);
      watchers.push(watcher);
    }
  } catch {
    changed();
  }
  return {
    get changed() {
      return state.changed;
    },
    close: () => watchers.forEach((w) => w.close()),
  };
}

/** Runs `work` in the client's working folder and environment (one request at a time, so the process's own may be borrowed). */
async function withProcessState<T>(cwd: string, env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const savedCwd = process.cwd();
  const savedEnv = { ...process.env };
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const key of Object.keys(process.env)) if (!(key in values)) delete process.env[key];
    for (const [key, value] of Object.entries(values)) if (value !== undefined) process.env[key] = value;
  };
  process.chdir(cwd);
  setEnv(env);
  try {
    return await work();
  } finally {
    setEnv(savedEnv);
    process.chdir(savedCwd);
  }
}
