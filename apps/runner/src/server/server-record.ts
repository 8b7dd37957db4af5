import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestServer } from '../../bin/compile-client.mjs';
import { readJsonFile } from '../project/file-stamps.js';

/**
 * How a client finds a project's compile server: `target/cache/compile-server.json`, written
 * by the server while it listens and removed when it stops. bin/compile-client.mjs reads the
 * same file (it is plain JavaScript, so the layout is written out there too).
 */
export interface ServerRecord {
  pid: number;
  /** The Unix socket it listens on. */
  socket: string;
  /** The runner bundle it runs (a folder name under apps/runner): a client of another runner does not use it. */
  runner: string;
  rootDir: string;
  startedAt: string;
}

export const serverRecordFile = (rootDir: string): string => join(rootDir, 'target', 'cache', 'compile-server.json');

export const serverLogFile = (rootDir: string): string => join(rootDir, 'target', 'cache', 'compile-server.log');

/** In the temp folder, not the project: a Unix socket path must stay under about 100 bytes. */
export const socketPathOf = (rootDir: string): string => join(tmpdir(), `warehouse-${createHash('sha256').update(rootDir).digest('hex').slice(0, 16)}.sock`);

/**
 * A request on the socket, one JSON line; each is answered by one JSON line, and a `done`
 * answer by the bytes of the compile's stdout and then its stderr (as many as it says), so
 * a large result is not escaped into JSON and parsed back.
 */
export type ServerRequest =
  | { type: 'compile'; rootDir: string; runner: string; args: string[]; cwd: string; env: Record<string, string>; tty: boolean }
  | { type: 'status' }
  | { type: 'stop' };

export type ServerAnswer =
  | { type: 'done'; code: number; stdoutBytes: number; stderrBytes: number }
  | { type: 'declined'; reason: string }
  | { type: 'status'; pid: number; rootDir: string; startedAt: string; served: number; declined: number }
  | { type: 'stopping' };

/** The project's server record, if a server wrote one (it may have died since). */
export const recordOf = (rootDir: string): ServerRecord | undefined => readJsonFile<ServerRecord>(serverRecordFile(rootDir));

/** One request to a server; undefined when nothing answers. */
export async function askServer(socket: string, request: { type: 'status' | 'stop' }): Promise<ServerAnswer | undefined> {
  return (await requestServer(socket, request).catch(() => undefined)) as ServerAnswer | undefined;
}

/** The status of the project's compile server, when one runs and answers. */
export async function statusOf(rootDir: string): Promise<Extract<ServerAnswer, { type: 'status' }> | undefined> {
  const record = recordOf(rootDir);
  const answer = record ? await askServer(record.socket, { type: 'status' }) : undefined;
  return answer?.type === 'status' ? answer : undefined;
}
