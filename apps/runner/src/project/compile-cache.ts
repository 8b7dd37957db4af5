import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledPackage, ProjectChecks } from '@warehouse/core';
import { writeInBackground } from './file-stamps.js';

/** Changes whenever the layout of a compiled-part file does. */
const FORMAT = 2;

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
    const file = this.fileOf(packageName);
    const kept = recent.get(file);
    if (kept && (kept.stamp === undefined || kept.stamp === stampOf(file))) return kept.part;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    // a JSON line of everything but the manifest entries, then those as they stand in the manifest
    const newline = text.indexOf('\n');
    if (newline < 0) return undefined;
    try {
      const part = { ...(JSON.parse(text.slice(0, newline)) as Omit<CompiledPackage, 'manifest'>), manifest: text.slice(newline + 1) };
      remember(file, part, stampOf(file));
      return part;
    } catch {
      return undefined;
    }
  }

  write(packageName: string, compiled: CompiledPackage): void {
    mkdirSync(this.dir, { recursive: true });
    const { manifest, ...rest } = compiled;
    const file = this.fileOf(packageName);
    // until it is on disk, what this process wrote is what the file will hold
    remember(file, compiled, undefined);
    writeInBackground(file, `${JSON.stringify(rest)}\n${manifest}`, () => recent.get(file)?.part === compiled && remember(file, compiled, stampOf(file)));
  }

  /** The project-wide checks of the last compile that found no problem, if kept. */
  readChecks(): ProjectChecks | undefined {
    const file = join(this.dir, CHECKS_FILE);
    const kept = recentChecks.get(file);
    if (kept && (kept.stamp === undefined || kept.stamp === stampOf(file))) return kept.checks;
    try {
      const checks = JSON.parse(readFileSync(file, 'utf8')) as ProjectChecks;
      recentChecks.set(file, { checks, stamp: stampOf(file) });
      return checks;
    } catch {
      return undefined;
    }
  }

  writeChecks(checks: ProjectChecks): void {
    const file = join(this.dir, CHECKS_FILE);
    if (recentChecks.get(file)?.checks === checks) return;
    mkdirSync(this.dir, { recursive: true });
    recentChecks.set(file, { checks, stamp: undefined });
    writeInBackground(file, JSON.stringify(checks), () => recentChecks.get(file)?.checks === checks && recentChecks.set(file, { checks, stamp: stampOf(file) }));
  }

  private fileOf(packageName: string): string {
    return join(this.dir, `${packageName.replace(/^@/, '').replace(/\//g, '__')}.json`);
  }
}

/**
 * Parts this process read or wrote, by file, with the file's size and modification time: a
 * process that compiles again and again (the compile server) parses a part once, and again
 * only when another process rewrote the file. A one-off compile reads each part once anyway.
 */
const recent = new Map<string, { part: CompiledPackage; stamp: string | undefined }>();

const recentChecks = new Map<string, { checks: ProjectChecks; stamp: string | undefined }>();

/** Beside the parts: no package file is named so (they end in `.json` after a package name without a leading dot). */
const CHECKS_FILE = '.project-checks.json';

const remember = (file: string, part: CompiledPackage, stamp: string | undefined) => recent.set(file, { part, stamp });

function stampOf(file: string): string | undefined {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.size}:${stat.mtimeMs}` : 'missing';
}
