import type { BuildContext, BuildOptions, BuildResult } from 'esbuild';
import { esbuild } from './esbuild-service.js';

type Bundled = BuildResult<BuildOptions & { write: false; metafile: true }>;

/**
 * esbuild build contexts kept per package, for a process that bundles the same packages again
 * and again (the compile server): a rebuild parses only the files that changed since the last
 * one (a package of 100 models after one edit: a few milliseconds instead of about 30). A
 * package whose build options changed (a package added to the project changes every alias)
 * gets a new context.
 */
export class IncrementalBundler {
  private readonly contexts = new Map<string, { options: string; context: Promise<BuildContext<BuildOptions & { write: false; metafile: true }>> }>();

  async build(name: string, options: BuildOptions & { write: false; metafile: true }): Promise<Bundled> {
    const key = JSON.stringify(options);
    let kept = this.contexts.get(name);
    if (!kept || kept.options !== key) {
      if (kept) void kept.context.then((c) => c.dispose(), () => undefined);
      kept = { options: key, context: esbuild().then((e) => e.context(options)) };
      this.contexts.set(name, kept);
    }
    try {
      return await (await kept.context).rebuild();
    } catch (error) {
      // a failed build (a syntax error) leaves the context usable, but a context that could not be made is dropped
      if (this.contexts.get(name) === kept && !(await kept.context.then(() => true, () => false))) this.contexts.delete(name);
      throw error;
    }
  }

  async dispose(): Promise<void> {
    const contexts = [...this.contexts.values()];
    this.contexts.clear();
    await Promise.all(contexts.map((c) => c.context.then((context) => context.dispose(), () => undefined)));
  }
}
