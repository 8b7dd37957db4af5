import { createHash } from 'node:crypto';

/**
 * Where project bundles import `@warehouse/core` from. When the runner runs from its own bundle
 * (bin/runner-bundle.mjs), core is a module of that bundle, and the project's models must
 * share it (one `defineModel`, one set of brands); from sources, the package name resolves to
 * the same source module the runner uses.
 */
let coreModule: string | undefined;

/** Called by the CLI entry with the path of the bundled core module. */
export function useCoreModule(path: string): void {
  coreModule = path;
}

/** The path to alias `@warehouse/core` to, or undefined to leave it a package import. */
export const coreModulePath = (): string | undefined => coreModule;

/**
 * esbuild options that link `@warehouse/core` in project code to the runner's bundled core
 * module (an external import of it), or nothing when the runner runs from sources. An alias,
 * not a plugin: a plugin's resolve callback is a round trip to this process for each of the
 * thousands of model files that import core.
 */
export function coreModuleLink(): { alias: Record<string, string>; external: string[] } {
  const core = coreModule;
  return core ? { alias: { '@warehouse/core': core }, external: [core] } : { alias: {}, external: [] };
}

/**
 * A name for the core the project is compiled against, for cache folders: bundles and
 * recorded definitions made with one core are not used with another. Undefined from sources,
 * where core changes with every edit and nothing is cached across processes.
 */
export function coreModuleKey(): string | undefined {
  return coreModule === undefined ? undefined : createHash('sha256').update(coreModule).digest('hex').slice(0, 12);
}
