import { totalmem } from 'node:os';
import type { BuildOptions } from 'esbuild';

type Esbuild = typeof import('esbuild');
let loaded: Promise<Esbuild> | undefined;

/**
 * esbuild, loaded on first use (a compile whose packages are all cached needs none) with its
 * service tuned for one-shot builds of many small files. esbuild is a Go program: Go's
 * collector, at its default pace, spent a third of a 10,000-model bundle here (1.2 s against
 * 0.7 s with it off). The service is told to collect only once its heap nears a quarter of
 * the machine's memory, at most 2 GiB; a user's own GOGC or GOMEMLIMIT wins.
 * The service inherits this process's environment when it starts, hence the variables.
 */
export function esbuild(): Promise<Esbuild> {
  if (!loaded) {
    if (process.env.GOGC === undefined && process.env.GOMEMLIMIT === undefined) {
      process.env.GOGC = 'off';
      process.env.GOMEMLIMIT = `${Math.max(256, Math.min(2048, Math.floor(totalmem() / 4 / 2 ** 20)))}MiB`;
    }
    loaded = import('esbuild');
  }
  return loaded;
}

/**
 * How project code (a package, the config) is compiled: one ES module for Node 20, npm
 * libraries left as imports, nothing written (the caller writes atomically), a metafile for
 * what it was built from.
 */
export function projectBuildOptions(rootDir: string, entry: string, outfile: string): BuildOptions & { write: false; metafile: true } {
  return {
    absWorkingDir: rootDir,
    entryPoints: [entry],
    outfile,
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  };
}
