// The client side of the compile server (apps/runner/src/server/compile-server.ts): plain
// JavaScript, run before the runner bundle is even loaded, so a compile served by a running
// server costs a Node start and a round trip. Anything unexpected (no server, a dead one,
// another runner, a request it declines) falls back to compiling in this process.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { SERVED_COMMANDS } from './served-commands.mjs';

/**
 * Runs `warehouse compile` (or `ls`) through the project's compile server, if one is running for the
 * runner this CLI last built (apps/runner/.bundle.json, written by runner-bundle.mjs; the
 * server watches the runner's sources itself): resolves to the exit code, or undefined to
 * compile in this process instead.
 * @param {readonly string[]} argv process.argv
 * @returns {Promise<number | undefined>}
 */
export async function compileThroughServer(argv) {
  const args = argv.slice(2);
  if (!SERVED_COMMANDS.has(args[0]) || process.env.WAREHOUSE_COMPILE_SERVER === 'off' || args.some((a) => a === '--help' || a === '-h')) return undefined;
  const rootDir = projectRoot(projectDirOf(args) ?? process.cwd());
  if (!rootDir) return undefined;
  let record;
  let runner;
  try {
    record = JSON.parse(readFileSync(join(rootDir, 'target', 'cache', 'compile-server.json'), 'utf8'));
    runner = JSON.parse(readFileSync(new URL('../.bundle.json', import.meta.url), 'utf8')).dir;
  } catch {
    return undefined;
  }
  if (record.runner !== runner) return undefined;
  const env = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined));
  const answer = await requestServer(record.socket, { type: 'compile', rootDir, runner, args, cwd: process.cwd(), env, tty: process.stdout.isTTY === true }).catch(() => undefined);
  if (answer?.type !== 'done') return undefined;
  const { stdout, stderr } = answer.output;
  if (stderr.length > 0) process.stderr.write(stderr);
  if (stdout.length > 0) process.stdout.write(stdout);
  return answer.code;
}

/**
 * Sends one request to a compile server and resolves to its answer: a JSON line each way, and
 * after a `done` answer the compile's stdout and stderr bytes (as `output`).
 * @param {string} socket
 * @param {object} request
 * @returns {Promise<any>}
 */
export function requestServer(socket, request) {
  return new Promise((resolvePromise, reject) => {
    const connection = connect(socket);
    const chunks = [];
    connection.on('connect', () => connection.write(`${JSON.stringify(request)}\n`));
    connection.on('data', (chunk) => chunks.push(chunk));
    connection.on('end', () => {
      try {
        const all = Buffer.concat(chunks);
        const newline = all.indexOf(10);
        if (newline < 0) throw new Error('the compile server closed the connection without answering');
        const answer = JSON.parse(all.subarray(0, newline).toString('utf8'));
        if (answer.type === 'done') {
          const rest = all.subarray(newline + 1);
          if (rest.length !== answer.stdoutBytes + answer.stderrBytes) throw new Error('the compile server answered in part');
          answer.output = { stdout: rest.subarray(0, answer.stdoutBytes), stderr: rest.subarray(answer.stdoutBytes) };
        }
        resolvePromise(answer);
      } catch (error) {
        reject(error);
      }
    });
    connection.on('error', reject);
  });
}

function projectDirOf(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--project-dir') return args[i + 1];
    if (args[i].startsWith('--project-dir=')) return args[i].slice('--project-dir='.length);
  }
  return undefined;
}

/** The nearest folder at or above `start` with warehouse.config.ts, as the runner finds it. */
function projectRoot(start) {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'warehouse.config.ts'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
