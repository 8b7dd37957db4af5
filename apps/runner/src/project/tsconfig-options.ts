import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** What of a tsconfig changes how a file's types are stripped, as esbuild reads it. */
export interface StripOptions {
  /** `verbatimModuleSyntax`, `preserveValueImports` or `importsNotUsedAsValues: preserve`: imports are kept as written. */
  keepImports: boolean;
  /** `paths` or `baseUrl`: bare imports may name project files, which only esbuild resolves. */
  mapsImports: boolean;
}

/** A tsconfig that cannot be read: the type stripper leaves the package to esbuild. */
export class UnreadableTsconfig extends Error {}

/**
 * The strip options of files in a folder, from the nearest tsconfig.json above it and what it
 * extends, as esbuild finds them; cached per folder for the life of the lookup.
 */
export function tsconfigLookup(): (folder: string) => StripOptions {
  const byFolder = new Map<string, StripOptions>();
  const byFile = new Map<string, StripOptions>();
  const none: StripOptions = { keepImports: false, mapsImports: false };
  const lookup = (folder: string): StripOptions => {
    let options = byFolder.get(folder);
    if (options) return options;
    const file = join(folder, 'tsconfig.json');
    const parent = dirname(folder);
    options = existsSync(file) ? optionsOf(file, byFile, new Set()) : parent === folder ? none : lookup(parent);
    byFolder.set(folder, options);
    return options;
  };
  return lookup;
}

function optionsOf(file: string, cache: Map<string, StripOptions>, seen: Set<string>): StripOptions {
  const known = cache.get(file);
  if (known) return known;
  if (seen.has(file)) throw new UnreadableTsconfig(`${file} extends itself`);
  seen.add(file);
  let config: { extends?: string | string[]; compilerOptions?: Record<string, unknown> };
  try {
    config = JSON.parse(withoutComments(readFileSync(file, 'utf8'))) as typeof config;
  } catch (error) {
    throw new UnreadableTsconfig(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // what a config extends comes first, in order; its own options override them
  let options: StripOptions = { keepImports: false, mapsImports: false };
  const bases = config.extends === undefined ? [] : Array.isArray(config.extends) ? config.extends : [config.extends];
  for (const base of bases) options = merge(options, optionsOf(resolveExtends(file, base), cache, seen));
  const own = config.compilerOptions ?? {};
  const keep = own.verbatimModuleSyntax ?? own.preserveValueImports ?? (own.importsNotUsedAsValues === undefined ? undefined : own.importsNotUsedAsValues === 'preserve');
  options = {
    keepImports: typeof keep === 'boolean' ? keep : options.keepImports,
    mapsImports: options.mapsImports || own.paths !== undefined || own.baseUrl !== undefined,
  };
  cache.set(file, options);
  return options;
}

const merge = (earlier: StripOptions, later: StripOptions): StripOptions => ({ keepImports: later.keepImports || earlier.keepImports, mapsImports: later.mapsImports || earlier.mapsImports });

/** The file an `extends` names: a path relative to the config, or a package's file. */
function resolveExtends(from: string, base: string): string {
  const candidates = base.startsWith('.') || base.startsWith('/') ? [resolve(dirname(from), base)] : [];
  for (const candidate of candidates.flatMap((c) => [c, `${c}.json`])) if (existsSync(candidate)) return candidate;
  try {
    return createRequire(from).resolve(base.endsWith('.json') ? base : `${base}/tsconfig.json`);
  } catch {
    throw new UnreadableTsconfig(`${from} extends ${base}, which cannot be found`);
  }
}

/** JSON with comments and trailing commas (as tsconfig files are written) made plain JSON. */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}
