import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DefinitionRecords } from '@warehouse/core';
import type { PackageBundle } from './bundle-packages.js';
import { writeInBackground } from './file-stamps.js';

/** Changes whenever the layout of a records file does. */
const FORMAT = 1;

/**
 * What every record key of a project shares: the layout of records files, the core they are
 * recorded with, and the installed npm libraries (package-lock.json).
 */
export function recordKeyBase(rootDir: string, coreKey: string): string {
  const lock = statSync(join(rootDir, 'package-lock.json'), { throwIfNoEntry: false });
  return `${FORMAT}\0${coreKey}\0${lock ? `${lock.size}:${lock.mtimeMs}` : 'no lock file'}`;
}

/**
 * The key under which a package's recorded definitions are kept: what evaluating the package
 * depends on. That is its own files and the files of every warehouse package it imports,
 * directly or not (`closure`, the package included): a rule imported from another package
 * writes part of its SQL. A package that reads another only through `ref('name')` does not
 * import it, and is not evaluated again when that package changes: its refs are resolved when
 * the graph is assembled.
 */
export function recordKey(base: string, closure: ReadonlyMap<string, PackageBundle>): string {
  const hash = createHash('sha256').update(base);
  for (const name of [...closure.keys()].sort()) hash.update(`\n${name}\0${closure.get(name)!.fingerprint}`);
  return hash.digest('hex');
}

/** How a records file starts: with its key, so a stale one is told from its first bytes. */
const headerOf = (key: string) => `{"key":${JSON.stringify(key)},`;

/** Whether records are kept under `key` (reads the file's first bytes only). */
export function hasRecords(file: string, key: string): boolean {
  const header = Buffer.from(headerOf(key));
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const start = Buffer.alloc(header.length);
    return readSync(fd, start, 0, header.length, 0) === header.length && start.equals(header);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The records kept under `key`, or undefined when there are none (or they were made under another key). */
export function readRecords(file: string, key: string): DefinitionRecords | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!text.startsWith(headerOf(key))) return undefined;
  try {
    return (JSON.parse(text) as { records: DefinitionRecords }).records;
  } catch {
    return undefined;
  }
}

/** Keeps records under `key` (written in the background, to a file of this process's own, then renamed into place). */
export function writeRecords(file: string, key: string, records: DefinitionRecords): void {
  writeInBackground(file, `${headerOf(key)}"records":${JSON.stringify(records)}}`);
}
