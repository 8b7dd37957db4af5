// The runner as a prebuilt bundle: compiling the runner's and core's TypeScript through tsx
// on every start cost most of a second, which is a quarter of a nightly increment and most of
// a warm compile. esbuild bundles them once into apps/runner/.bundle-<stamp>/ and again only
// when one of the files it read changes (path, size and modification time of each, as
// recorded in the build's metafile). Core is its own entry, so project packages bundled at
// run time can import the very same module.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNNER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(RUNNER_DIR, '..', '..');
/** What the last build made: its folder, stamp and inputs (compile-client.mjs reads the folder too). */
const MANIFEST = join(RUNNER_DIR, '.bundle.json');
/**
 * npm libraries compiled into the bundle: importing a library of hundreds of small modules
 * (kysely) costs more than the rest of the start-up. The others stay imports: they load files
 * next to themselves (PGlite's WebAssembly, pino's worker, esbuild's binary) or are small.
 */
const BUNDLED_LIBRARIES = /^(kysely|zod|commander|log-update)(\/|$)/;
/** Bundles unused for this long are removed (a running process may still import from one). */
const STALE_MS = 10 * 60_000;

/**
 * The paths of the runner bundle (`cli`) and of its core module (`core`), building them first
 * when the sources changed since the last build.
 * @returns {Promise<{ cli: string; core: string }>}
 */
export async function runnerBundle() {
  const current = readManifest();
  if (current && existsSync(join(RUNNER_DIR, current.dir)) && stampOf(current.inputs) === current.stamp) return pathsIn(current.dir);
  return build();
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
}

const pathsIn = (dir) => ({ cli: join(RUNNER_DIR, dir, 'cli.mjs'), core: join(RUNNER_DIR, dir, 'core.mjs') });

/** A hash of every input's path, size and modification time; missing files count too. */
function stampOf(inputs) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    try {
      const stat = statSync(join(ROOT, input));
      hash.update(`${input}\0${stat.size}\0${stat.mtimeMs}\n`);
    } catch {
      hash.update(`${input}\0missing\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function build() {
  const { build: esbuild, version } = await import('esbuild');
  const scratch = join(RUNNER_DIR, `.bundle-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: { cli: join(RUNNER_DIR, 'src/cli.ts'), core: '@warehouse/core', 'evaluation-worker': join(RUNNER_DIR, 'src/project/evaluation-worker.ts'), 'strip-types-worker': join(RUNNER_DIR, 'src/project/strip-types-worker.ts') },
    outdir: scratch,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['source'],
    sourcemap: 'linked',
    // CommonJS libraries compiled into an ES module still call require() for Node built-ins
    banner: { js: "import { createRequire as __warehouseRequire } from 'node:module'; const require = __warehouseRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        // workspace packages and a few libraries are compiled in; the rest stay imports
        name: 'npm-external',
        setup(builder) {
          builder.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@warehouse/') || (BUNDLED_LIBRARIES.test(args.path))
              ? undefined
              : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  const inputs = [...Object.keys(result.metafile.inputs), 'apps/runner/bin/runner-bundle.mjs'].sort();
  const stamp = stampOf(inputs);
  const dir = `.bundle-${stamp}-${version}`;
  try {
    renameSync(scratch, join(RUNNER_DIR, dir));
  } catch {
    // another process built the same sources first: use theirs
    rmSync(scratch, { recursive: true, force: true });
  }
  const manifest = join(RUNNER_DIR, `.bundle.json.${process.pid}`);
  writeFileSync(manifest, JSON.stringify({ dir, stamp, inputs }));
  renameSync(manifest, MANIFEST);
  removeStaleBundles(dir);
  return pathsIn(dir);
}

function removeStaleBundles(keep) {
  for (const entry of readdirSync(RUNNER_DIR)) {
    if (!entry.startsWith('.bundle-') || entry === keep) continue;
    const path = join(RUNNER_DIR, entry);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}
