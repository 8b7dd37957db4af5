import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledPackage } from '@warehouse/core';
import { writeInBackground } from './file-stamps.js';

/** Changes whenever the layout of a compiled-part file does. */
const FORMAT = 1;

/** What a package's compiled part depends on besides its files: the target and its schemas. */
export interface CompileTarget {
  targetName: string;
  schemaPrefix?: string;
}

/**
 * The compiled parts of a project's packages for one target, kept between compiles in
 * `target/cache/compile/<target>/`: each package's links, manifest entries and compiled-file
 * hashes (see `compileProject`), reused while the package and what it read are unchanged.
 */
export class CompileCache {
  private readonly dir: string;

  constructor(rootDir: string, private readonly target: CompileTarget) {
    const naming = createHash('sha256').update(`${FORMAT}\0${target.targetName}\0${target.schemaPrefix ?? ''}`).digest('hex').slice(0, 12);
    this.dir = join(rootDir, 'target', 'cache', 'compile', `${target.targetName.replace(/[^A-Za-z0-9_-]/g, '_')}-${naming}`);
  }

  /** The key a package's compiled part is kept under: its records' key (its files) for this target. */
  keyOf(recordsKey: string): string {
    return createHash('sha256').update(`${FORMAT}\0${recordsKey}\0${this.target.targetName}\0${this.target.schemaPrefix ?? ''}`).digest('hex');
  }

  /** The part kept for a package, if any (a damaged file counts as none). */
  read(packageName: string): CompiledPackage | undefined {
    let text: string;
    try {
      text = readFileSync(this.fileOf(packageName), 'utf8');
    } catch {
      return undefined;
    }
    // a JSON line of everything but the manifest entries, then those as they stand in the manifest
    const newline = text.indexOf('\n');
    if (newline < 0) return undefined;
    try {
      return { ...(JSON.parse(text.slice(0, newline)) as Omit<CompiledPackage, 'manifest'>), manifest: text.slice(newline + 1) };
    } catch {
      return undefined;
    }
  }

  write(packageName: string, compiled: CompiledPackage): void {
    mkdirSync(this.dir, { recursive: true });
    const { manifest, ...rest } = compiled;
    writeInBackground(this.fileOf(packageName), `${JSON.stringify(rest)}\n${manifest}`);
  }

  private fileOf(packageName: string): string {
    return join(this.dir, `${packageName.replace(/^@/, '').replace(/\//g, '__')}.json`);
  }
}
