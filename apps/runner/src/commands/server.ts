import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Output } from '../output.js';
import { findProjectRoot } from '../project/find-project-root.js';
import { runCompileServer, runsFromBundle } from '../server/compile-server.js';
import { askServer, recordOf, serverLogFile, statusOf } from '../server/server-record.js';

export interface ServerOptions {
  projectDir?: string;
  idleMinutes?: number;
  json?: boolean;
}

/** How long `server start` waits for the new server to listen. */
const START_TIMEOUT_MS = 20_000;

/**
 * `warehouse server start|stop|status`: a compile server for the project (see
 * compile-server.ts). While it runs, `warehouse compile` is answered by it.
 */
export async function run(action: 'start' | 'stop' | 'status' | 'run', options: ServerOptions, output: Output): Promise<number> {
  const rootDir = findProjectRoot(options.projectDir ?? process.cwd());
  const idleMinutes = options.idleMinutes ?? 60;
  switch (action) {
    case 'run':
      await runCompileServer(rootDir, {
        idleMinutes,
        log: (line) => output.info(line),
        // the successor runs the new runner: the CLI entry builds its bundle first
        onRunnerChanged: () => spawnServer(rootDir, idleMinutes).unref(),
      });
      return 0;
    case 'status': {
      const status = await statusOf(rootDir);
      if (!status) {
        output.info(`no compile server runs for ${rootDir}`);
        output.result({ running: false });
        return 1;
      }
      output.info(`compile server pid ${status.pid} for ${status.rootDir}, up since ${status.startedAt}: ${status.served} compile(s) served, ${status.declined} declined`);
      output.result({ running: true, ...status, type: undefined });
      return 0;
    }
    case 'stop': {
      const record = recordOf(rootDir);
      const answer = record ? await askServer(record.socket, { type: 'stop' }) : undefined;
      if (!record || answer?.type !== 'stopping') {
        output.info(`no compile server runs for ${rootDir}`);
        output.result({ stopped: false });
        return 0;
      }
      // gone once its record is
      for (let waited = 0; recordOf(rootDir)?.pid === record.pid && waited < START_TIMEOUT_MS; waited += 50) await sleep(50);
      output.info(`stopped the compile server (pid ${record.pid})`);
      output.result({ stopped: true, pid: record.pid });
      return 0;
    }
    case 'start': {
      const running = await statusOf(rootDir);
      if (running) {
        output.info(`a compile server already runs for ${rootDir} (pid ${running.pid})`);
        output.result({ started: false, pid: running.pid });
        return 0;
      }
      const log = serverLogFile(rootDir);
      const child = spawnServer(rootDir, idleMinutes);
      child.unref();
      let exited: number | null | undefined;
      child.once('exit', (code) => (exited = code));
      for (let waited = 0; waited < START_TIMEOUT_MS && exited === undefined; waited += 50) {
        const status = await statusOf(rootDir);
        if (status && status.pid === child.pid) {
          output.info(`compile server started (pid ${status.pid}): \`warehouse compile\` in ${rootDir} is answered by it until \`warehouse server stop\` or ${idleMinutes} idle minute(s); log: ${relative(process.cwd(), log)}`);
          output.result({ started: true, pid: status.pid });
          return 0;
        }
        await sleep(50);
      }
      throw new Error(`the compile server did not start${exited === undefined ? ` within ${START_TIMEOUT_MS / 1000} s` : ` (exit code ${exited})`}; see ${log}`);
    }
  }
}

/** How long a compile server started by a compile waits for the next one before it stops. */
export const AUTO_IDLE_MINUTES = 30;

/**
 * Starts a compile server for the project in the background, unless one answers already:
 * what a compile at a terminal does after compiling in its own process (see
 * startsCompileServer), so that the next compile is served. Returns the new server's pid.
 */
export async function startInBackground(rootDir: string): Promise<number | undefined> {
  if (!runsFromBundle() || (await statusOf(rootDir))) return undefined;
  const child = spawnServer(rootDir, AUTO_IDLE_MINUTES);
  child.unref();
  return child.pid;
}

/** `warehouse server run` in a detached process of the same CLI entry, its output appended to the server's log. */
function spawnServer(rootDir: string, idleMinutes: number): ChildProcess {
  const log = serverLogFile(rootDir);
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  try {
    return spawn(process.execPath, [process.argv[1]!, 'server', 'run', '--project-dir', rootDir, '--idle-minutes', String(idleMinutes)], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, WAREHOUSE_COMPILE_SERVER: 'off' },
    });
  } finally {
    closeSync(fd);
  }
}
