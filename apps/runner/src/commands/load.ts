import { closestName, describeRows, ErrorCode, isWarehouseError, loadFile, sourceName, WarehouseError, type AnySource, type LoadFormat, type LoadResult, type SourceNode } from '@warehouse/core';
import type { Output } from '../output.js';
import { loadGraph, openDatabase, openProject, type CommonOptions } from './project-context.js';

export interface LoadCommandOptions extends CommonOptions {
  format?: LoadFormat;
  delimiter?: string;
  /** false with --no-header. */
  header: boolean;
  columns?: string[];
  maxBadRows?: number;
  force?: boolean;
}

/**
 * `warehouse load <source> <files...>`: land delivered files in a source's landing table, one
 * transaction per file. Malformed rows go to warehouse_meta.quarantine; exit 1 when a file
 * could not be loaded (the others still are).
 */
export async function run(requested: string, files: string[], options: LoadCommandOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const source = sourceNamed(requested, [...graph.nodes.values()].filter((n): n is SourceNode => n.type === 'source').map((n) => n.source));
  const adapter = await openDatabase(context, output);
  const loaded: LoadResult[] = [];
  const failed: Array<{ file: string; code: string; message: string }> = [];
  try {
    for (const file of files) {
      try {
        const result = await loadFile(adapter, source, file, {
          ...(options.format ? { format: options.format } : {}),
          ...(options.delimiter !== undefined ? { delimiter: unescapeDelimiter(options.delimiter) } : {}),
          header: options.columns ? false : options.header,
          ...(options.columns ? { columns: options.columns } : {}),
          ...(options.maxBadRows !== undefined ? { maxBadRows: options.maxBadRows } : {}),
          force: options.force === true,
        });
        loaded.push(result);
        output.info(
          `${file}: loaded ${result.rowsLoaded.toLocaleString('en-US')} row(s) into ${sourceName(source)} (${result.method === 'copy' ? 'COPY' : 'checked row by row'}, ${(result.durationMs / 1000).toFixed(1)}s)`,
          { loadId: result.loadId, rowsLoaded: result.rowsLoaded, rowsQuarantined: result.rowsQuarantined },
        );
        if (result.rowsQuarantined > 0) {
          output.warn(`${file}: ${result.rowsQuarantined.toLocaleString('en-US')} malformed row(s) went to warehouse_meta.quarantine (load ${result.loadId}). ${describeRows(result.quarantined)}`);
        }
      } catch (error) {
        // a file that cannot be loaded leaves nothing behind; the next file is still loaded
        if (!isWarehouseError(error) || !FILE_ERRORS.has(error.code)) throw error;
        failed.push({ file, code: error.code, message: error.message });
        output.error(error);
      }
    }
  } finally {
    await adapter.close();
  }
  output.result({ source: sourceName(source), loaded, failed });
  return failed.length > 0 ? 1 : 0;
}

/** Errors about one file: the load goes on with the next. */
const FILE_ERRORS = new Set<string>([ErrorCode.loadInvalid, ErrorCode.loadRejected, ErrorCode.loadRepeated]);

/** A source by its id (`raw_sales.orders`) or by system and name (`sales.orders`). */
function sourceNamed(name: string, sources: readonly AnySource[]): AnySource {
  const found = sources.find((s) => s.id === name || sourceName(s) === name);
  if (found) return found;
  const known = sources.map(sourceName);
  const near = closestName(name, [...known, ...sources.map((s) => s.id)]);
  throw new WarehouseError(
    ErrorCode.missingSource,
    `no source named ${name}${near ? `; did you mean ${near}?` : ''} (sources: ${known.sort().join(', ') || 'none'})`,
  );
}

/** `\t` as typed on a command line is a tab. */
const unescapeDelimiter = (value: string) => (value === '\\t' || value === 'tab' ? '\t' : value);
