import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where a declaration was made, resolved to `file:line` only when someone asks. */
export interface DefinitionSite {
  /** `file:line` of the declaration (through source maps), or undefined without a usable frame. */
  location(): string | undefined;
  /** The position of the call as the running code has it (a bundle, before source maps). */
  readonly generated?: GeneratedPosition;
}

/** A position in running code: file (path or URL), 1-based line and column. */
export interface GeneratedPosition {
  file: string;
  line: number;
  column: number;
}

/** Where each definition was declared, for {@link siteOf}. */
export const DEFINITION_SITE = Symbol.for('warehouse.definitionSite');

/** The declaration site of a model, source or KPI (undefined for other values). */
export function siteOf(definition: unknown): DefinitionSite | undefined {
  return (definition as { [DEFINITION_SITE]?: DefinitionSite } | null)?.[DEFINITION_SITE];
}

/** A site known only by its resolved location, e.g. a definition restored from the compile cache. */
export function fixedSite(location: string | undefined): DefinitionSite {
  return { location: () => location };
}

/**
 * The site of the code that called a `define*` function. Capturing it must be cheap: a
 * project of 10,000 models calls it 10,000 times, and formatting a stack trace through source
 * maps cost a third of a warm compile. So it keeps V8's raw call site (generated position) and
 * maps it to the TypeScript source on the first `location()`.
 */
export function definitionSite(): DefinitionSite {
  const sites = rawCallSites();
  // 0 is this function, 1 the define* function, 2 its caller
  const site = sites?.[2];
  const file = site?.getFileName() ?? undefined;
  const line = site?.getLineNumber() ?? undefined;
  const column = site?.getColumnNumber() ?? undefined;
  let resolved: string | undefined | null = null;
  return {
    ...(file !== undefined && line !== undefined ? { generated: { file, line, column: column ?? 1 } } : {}),
    location() {
      if (resolved === null) resolved = file === undefined || line === undefined ? undefined : resolve(file, line, column ?? 1);
      return resolved;
    },
  };
}

function rawCallSites(): NodeJS.CallSite[] | undefined {
  const original = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    // this function, the define* function and its caller: V8 need not walk further
    Error.stackTraceLimit = 4;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder);
    // drop the frame of this function: callers count from their own
    return (holder.stack as NodeJS.CallSite[] | undefined)?.slice(1);
  } finally {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = original;
  }
}

/** A generated position mapped to its source when a source map is loaded for the file. */
function resolve(file: string, line: number, column: number): string {
  const entry = findSourceMap(file)?.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number } | undefined;
  if (entry?.originalSource && entry.originalLine !== undefined) return `${toPath(entry.originalSource)}:${entry.originalLine + 1}`;
  return `${toPath(file)}:${line}`;
}

const toPath = (file: string) => (file.startsWith('file://') ? fileURLToPath(file) : file);
