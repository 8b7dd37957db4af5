import type { Plugin } from 'esbuild';

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
 * For an esbuild build of project code: links `@warehouse/core` to the runner's bundled core
 * module (an external import of it), or nothing when the runner runs from sources. Put it first.
 */
export function coreModulePlugins(): Plugin[] {
  const core = coreModule;
  if (!core) return [];
  return [{ name: 'warehouse-core-module', setup: (builder) => builder.onResolve({ filter: /^@warehouse\/core$/ }, () => ({ path: core, external: true })) }];
}
