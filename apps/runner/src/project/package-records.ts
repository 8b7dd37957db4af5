import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DefinitionRecords } from '@warehouse/core';
import type { PackageBundle } from './bundle-packages.js';
import { writeAtomically } from './file-stamps.js';

/** Changes whenever the layout of a records file does. */
const FORMAT = 1;

/**
 * The key under which a package's recorded definitions are kept: what evaluating the package
 * depends on. That is its own files, the files of every warehouse package it imports, directly
 * or not (a rule imported from another package writes part of its SQL), the installed npm
 * libraries (package-lock.json) and the core it was recorded with (`salt`). A package that
 * reads another only through `ref('name')` does not import it, and is not re-evaluated when
 * that package changes: its refs are resolved when the graph is assembled.
 */
export function recordKeys(rootDir: string, bundles: ReadonlyMap<string, PackageBundle>, salt: string): Map<string, string> {
  const lock = statSync(join(rootDir, 'package-lock.json'), { throwIfNoEntry: false });
  const shared = `${FORMAT}\0${salt}\0${lock ? `${lock.size}:${lock.mtimeMs}` : 'no lock file'}`;
  const keys = new Map<string, string>();
  for (const name of bundles.keys()) {
    const closure = new Set<string>([name]);
    const pending = [name];
    while (pending.length > 0) {
      for (const imported of bundles.get(pending.pop()!)?.imports ?? []) {
        if (!closure.has(imported)) {
          closure.add(imported);
          pending.push(imported);
        }
      }
    }
    const hash = createHash('sha256').update(shared);
    for (const member of [...closure].sort()) hash.update(`\n${member}\0${bundles.get(member)?.fingerprint ?? 'not a warehouse package'}`);
    keys.set(name, hash.digest('hex'));
  }
  return keys;
}

/** The records kept under `key`, or undefined when there are none (or they were made under another key). */
export function readRecords(file: string, key: string): DefinitionRecords | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // the key leads the file, so a stale one is told without parsing the rest
  const header = `{"key":${JSON.stringify(key)},`;
  if (!text.startsWith(header)) return undefined;
  try {
    return (JSON.parse(text) as { records: DefinitionRecords }).records;
  } catch {
    return undefined;
  }
}

/** Keeps records under `key` (written to a file of this process's own, then renamed into place). */
export function writeRecords(file: string, key: string, records: DefinitionRecords): void {
  writeAtomically(file, `{"key":${JSON.stringify(key)},"records":${JSON.stringify(records)}}`);
}
