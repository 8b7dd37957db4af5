import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledPackage, ProjectChecks } from '@warehouse/core';
import { ParsedFiles } from './file-stamps.js';

/** Changes whenever the layout of a compiled-part file does. */
const FORMAT = 3;

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
    return parts.read(this.fileOf(packageName), (text) => {
      // a JSON line of everything but the manifest entries, then those as they stand in the manifest
      const newline = text.indexOf('\n');
      if (newline < 0) return undefined;
      return { ...(JSON.parse(text.slice(0, newline)) as Omit<CompiledPackage, 'manifest'>), manifest: text.slice(newline + 1) };
    });
  }

  write(packageName: string, compiled: CompiledPackage): void {
    mkdirSync(this.dir, { recursive: true });
    const { manifest, ...rest } = compiled;
    parts.write(this.fileOf(packageName), compiled, `${JSON.stringify(rest)}\n${manifest}`);
  }

  /** The project-wide checks of the last compile that found no problem, if kept. */
  readChecks(): ProjectChecks | undefined {
    return checks.read(join(this.dir, CHECKS_FILE), (text) => JSON.parse(text) as ProjectChecks);
  }

  writeChecks(value: ProjectChecks): void {
    const file = join(this.dir, CHECKS_FILE);
    if (checks.holds(file, value)) return;
    mkdirSync(this.dir, { recursive: true });
    checks.write(file, value, JSON.stringify(value));
  }

  private fileOf(packageName: string): string {
    return join(this.dir, `${packageName.replace(/^@/, '').replace(/\//g, '__')}.json`);
  }
}

/** Parts and checks this process read or wrote: parsed once per process (see ParsedFiles). */
const parts = new ParsedFiles<CompiledPackage>();
const checks = new ParsedFiles<ProjectChecks>();

/** Beside the parts: no package file is named so (they end in `.json` after a package name without a leading dot). */
const CHECKS_FILE = '.project-checks.json';
