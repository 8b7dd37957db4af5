import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve, sep } from 'node:path';
import { writeAtomically } from './file-stamps.js';
import { vlq } from './source-positions.js';
import { tsconfigLookup, UnreadableTsconfig } from './tsconfig-options.js';

/** A package bundled by stripping the types of each file and wrapping it as a module of one bundle. */
export interface StrippedBundle {
  /** The bundle: an ES module exporting what the entry exports. */
  code: string;
  /** Its source map: each line of a file's code maps to the same line of the file. */
  map: string;
  /** The files it was built from, relative to the project root (as esbuild's metafile names them). */
  inputs: string[];
  /** What it imports from outside the package: the `alias` targets it used and npm libraries. */
  externals: string[];
}

/**
 * Why the type stripper leaves a package to the full bundler (esbuild): code whose meaning a
 * file-by-file wrapper would change or could not resolve. Never an error of the package; the
 * full bundler reports those.
 */
export class NeedsFullBundler extends Error {}

/**
 * What in a file the wrapper cannot keep as the file meant it: top-level `await` (a wrapped file
 * is a plain function), `import.meta` and `import()` (they would name the bundle, not the file),
 * `require` (a wrapped file's `require` is the wrapper's), decorators, and classes (whose fields
 * esbuild compiles as the tsconfig's target and useDefineForClassFields say). Matched on the
 * source, so a word in a comment or string also counts: a false match only costs speed.
 */
const KEPT_FOR_FULL_BUNDLER = /\bawait\b|\bimport\s*[.(]|\brequire\s*\(|^\s*@[\w$]|\bclass\b/m;

/** The extensions a relative import may leave out or write as `.js`, as TypeScript resolves them. */
const SOURCE_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  '': ['.ts', '.mts', '.js', '.mjs', '/index.ts', '/index.mts', '/index.js', '/index.mjs'],
  '.js': ['.ts', '.js'],
  '.mjs': ['.mts', '.mjs'],
  '.ts': ['.ts'],
  '.mts': ['.mts'],
};

type Tools = { transform: typeof import('sucrase').transform; lexModule: typeof import('es-module-lexer').parse };
let tools: Promise<Tools> | undefined;

/** Loads the stripper's libraries ahead of its first package (a thread does, before it says it is ready). */
export async function loadStripper(): Promise<void> {
  await loadTools();
}

/** Sucrase and the module lexer, loaded on first use: a compile whose bundles are all current needs neither. */
function loadTools(): Promise<Tools> {
  return (tools ??= Promise.all([import('sucrase'), import('es-module-lexer')]).then(async ([sucrase, lexer]) => {
    await lexer.init();
    return { transform: sucrase.transform, lexModule: lexer.parse };
  }));
}

/**
 * Bundles a package the cheap way: each file reachable from `entry` by relative imports has its
 * types stripped by Sucrase (which keeps every line where it was) and its imports turned into
 * calls of a small module table, and the files are written one after another into one ES
 * module. esbuild spends about 0.35 ms of CPU per file, which for 10,000 one-model files is most
 * of a cold compile on two cores; this takes a small fraction of that. Imports that leave the
 * package (`alias` keys: other warehouse packages, core; npm libraries) become imports of the
 * bundle. Lines are kept, so the source map is one segment a line.
 *
 * Throws {@link NeedsFullBundler} for what it does not handle (see KEPT_FOR_FULL_BUNDLER, files
 * other than .ts/.mts/.js/.mjs, a relative import it cannot find, a subpath of an aliased
 * package, `export *` from outside the package, an export name that is not an identifier, or
 * anything Sucrase cannot parse): the caller bundles that package with esbuild, which also
 * reports any real error with its file and line.
 */
export async function bundleByStrippingTypes(rootDir: string, entry: string, outfile: string, alias: Readonly<Record<string, string>>): Promise<StrippedBundle> {
  const { transform, lexModule } = await loadTools();
  const isFile = fileLookup();
  const tsconfigOf = tsconfigLookup();
  const files: string[] = [];
  const idOf = new Map<string, number>();
  const chunks: Array<{ code: string; deps: Record<string, number | string> }> = [];
  const externals: string[] = [];
  const starExports = new Map<number, number[]>();
  const exportNames = new Map<number, string[]>();

  const add = (file: string): number => {
    const known = idOf.get(file);
    if (known !== undefined) return known;
    const id = files.length;
    idOf.set(file, id);
    files.push(file);
    chunks.push({ code: '', deps: {} });
    const source = readSource(file);
    if (KEPT_FOR_FULL_BUNDLER.test(source)) throw new NeedsFullBundler(`${file} uses await, import.meta, import(), require, decorators or classes`);
    const isTypeScript = file.endsWith('ts');
    let code: string;
    try {
      const tsconfig = tsconfigOf(dirname(file));
      if (tsconfig.mapsImports) throw new NeedsFullBundler(`${file}: its tsconfig maps imports (paths, baseUrl)`);
      // as esbuild does: imports only types use are dropped, unless the tsconfig keeps imports as written
      code = transform(source, { transforms: isTypeScript ? ['typescript', 'imports'] : ['imports'], filePath: file, disableESTransforms: true, keepUnusedImports: tsconfig.keepImports }).code;
    } catch (error) {
      if (error instanceof NeedsFullBundler) throw error;
      if (error instanceof UnreadableTsconfig) throw new NeedsFullBundler(error.message);
      throw new NeedsFullBundler(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const deps: Record<string, number | string> = {};
    for (const [, , specifier] of code.matchAll(/\brequire\((['"])([^'"\\]*)\1\)/g)) {
      if (specifier === undefined || Object.hasOwn(deps, specifier)) continue;
      deps[specifier] = specifier.startsWith('.') ? add(resolveRelative(file, specifier, isFile)) : external(specifier);
    }
    chunks[id] = { code, deps };
    recordExports(id, source, file, deps);
    return id;
  };

  const external = (specifier: string): string => {
    const target = alias[specifier];
    if (target === undefined && Object.keys(alias).some((name) => specifier.startsWith(`${name}/`))) {
      throw new NeedsFullBundler(`a subpath of an aliased package: ${specifier}`);
    }
    if (specifier.startsWith('/')) throw new NeedsFullBundler(`an absolute import: ${specifier}`);
    const resolved = target ?? specifier;
    if (!externals.includes(resolved)) externals.push(resolved);
    return resolved;
  };

  // the export names of a module, for the bundle's own exports: ESM names them statically
  const recordExports = (id: number, source: string, file: string, deps: Record<string, number | string>) => {
    let exports: ReturnType<typeof lexModule>[1];
    try {
      exports = lexModule(source, file)[1];
    } catch (error) {
      throw new NeedsFullBundler(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const names: string[] = [];
    const stars: number[] = [];
    for (const e of exports) {
      if (e.typeOnly) continue;
      if (e.type === 'reexport-all') {
        const target = e.from === undefined ? undefined : deps[e.from];
        if (typeof target !== 'number') throw new NeedsFullBundler(`${file}: export * from outside the package`);
        stars.push(target);
      } else if (e.name !== undefined) names.push(e.name);
    }
    exportNames.set(id, names);
    starExports.set(id, stars);
  };

  add(resolve(entry));
  const names = exportedNames(0, exportNames, starExports);
  for (const name of names) if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new NeedsFullBundler(`an export name that is not an identifier: ${name}`);

  const outDir = dirname(outfile);
  const lines: string[] = [];
  const mapping: string[] = [];
  const header = (line: string) => {
    lines.push(line);
    mapping.push('');
  };
  header('// A warehouse package bundled by stripping types (see strip-types-bundle.ts).');
  externals.forEach((target, i) => header(`import * as __x${i} from ${JSON.stringify(target)};`));
  // what a wrapped import of an outside module gets: its namespace, marked as an ES module for the interop helpers
  header(`const __external = { ${externals.map((target, i) => `${JSON.stringify(target)}: Object.defineProperty({ ...__x${i} }, '__esModule', { value: true })`).join(', ')} };`);
  header('const __modules = [');
  let previousSource = 0;
  let previousLine = 0;
  chunks.forEach((chunk, id) => {
    const codeLines = chunk.code.split('\n');
    codeLines.forEach((text, line) => {
      lines.push(line === 0 ? `[function (exports, require, module) {${text}` : text);
      mapping.push(`A${vlq(id - previousSource)}${vlq(line - previousLine)}A`);
      previousSource = id;
      previousLine = line;
    });
    header(`}, ${JSON.stringify(chunk.deps)}],`);
  });
  header('];');
  header('const __loaded = [];');
  header('function __load(id) {');
  header('  if (__loaded[id]) return __loaded[id].exports;');
  header('  const module = (__loaded[id] = { exports: {} });');
  header('  const [body, deps] = __modules[id];');
  header("  body.call(undefined, module.exports, (specifier) => { const dep = deps[specifier]; return typeof dep === 'number' ? __load(dep) : __external[dep]; }, module);");
  header('  return module.exports;');
  header('}');
  header('const __entry = __load(0);');
  names.forEach((name, i) => header(`const __e${i} = __entry[${JSON.stringify(name)}];`));
  header(`export { ${names.map((name, i) => `__e${i} as ${name}`).join(', ')} };`);
  header(`//# sourceMappingURL=${basename(outfile)}.map`);

  const map = JSON.stringify({ version: 3, sources: files.map((f) => relative(outDir, f)), names: [], mappings: mapping.join(';') });
  return { code: `${lines.join('\n')}\n`, map, inputs: files.map((f) => relative(rootDir, f)), externals };
}

/** The names a module exports: its own, then those of its `export *` targets that no other names. */
function exportedNames(id: number, own: ReadonlyMap<number, string[]>, stars: ReadonlyMap<number, number[]>, seen = new Set<number>()): string[] {
  seen.add(id);
  const names = new Set(own.get(id));
  const fromStars = new Map<string, number>();
  for (const target of stars.get(id) ?? []) {
    if (seen.has(target)) continue;
    for (const name of exportedNames(target, own, stars, seen)) if (name !== 'default') fromStars.set(name, (fromStars.get(name) ?? 0) + 1);
  }
  for (const [name, count] of fromStars) {
    if (names.has(name)) continue;
    // two `export *` giving one name is ambiguous in ESM unless they are one binding; not worth telling apart here
    if (count > 1) throw new NeedsFullBundler(`${name} is exported by two export * targets`);
    names.add(name);
  }
  return [...names];
}

function readSource(file: string): string {
  const extension = extname(file);
  if (!['.ts', '.mts', '.js', '.mjs'].includes(extension) || file.endsWith('.d.ts')) throw new NeedsFullBundler(`not a module the type stripper reads: ${file}`);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new NeedsFullBundler(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The file a relative import names, tried as TypeScript resolves it (`./x.js` may be `./x.ts`). */
function resolveRelative(from: string, specifier: string, isFile: (path: string) => boolean): string {
  const base = resolve(dirname(from), specifier);
  const extension = extname(specifier);
  const candidates = SOURCE_EXTENSIONS[extension] ?? [];
  const stem = extension === '' ? base : base.slice(0, -extension.length);
  for (const candidate of candidates) {
    const path = `${stem}${candidate}`;
    if (isFile(path)) return path;
  }
  throw new NeedsFullBundler(`cannot resolve ${specifier} from ${from.split(sep).slice(-2).join(sep)}`);
}

/** Whether a path is a file, from one listing per folder: a package's 100 model files share one folder. */
function fileLookup(): (path: string) => boolean {
  const listings = new Map<string, Set<string>>();
  return (path) => {
    const folder = dirname(path);
    let files = listings.get(folder);
    if (!files) {
      files = new Set();
      try {
        for (const entry of readdirSync(folder, { withFileTypes: true })) if (entry.isFile() || entry.isSymbolicLink()) files.add(entry.name);
      } catch {
        // a folder that cannot be listed holds nothing to import
      }
      listings.set(folder, files);
    }
    return files.has(basename(path));
  };
}

/** Writes a stripped bundle beside its map, each atomically, the map first (positions are read from it). */
export function writeStrippedBundle(outfile: string, bundle: StrippedBundle): void {
  writeAtomically(`${outfile}.map`, bundle.map);
  writeAtomically(outfile, bundle.code);
}
