import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { closestName, describeRows, ErrorCode, isServerWideDatabaseError, isWarehouseError, loadFile, sourceName, WarehouseError, type AnySource, type LoadFormat, type LoadResult, type SourceNode } from '@warehouse/core';
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
  indexBuildMemory?: number;
  /** A delivery folder: every file in it whose name says its source. */
  delivery?: string;
}

/** One file to load and the source it goes to. */
interface FileToLoad {
  source: AnySource;
  file: string;
}

/**
 * `warehouse load <source> <files...>` or `warehouse load --delivery DIR`: land delivered files
 * in their sources' landing tables, one transaction per file. Malformed rows go to
 * warehouse_meta.quarantine; exit 1 when a file could not be loaded (the others still are).
 */
export async function run(requested: string | undefined, files: string[], options: LoadCommandOptions, output: Output): Promise<number> {
  const bySource = requested !== undefined && files.length > 0 && options.delivery === undefined;
  const byDelivery = options.delivery !== undefined && requested === undefined;
  if (bySource === byDelivery) {
    throw new WarehouseError(ErrorCode.configInvalid, 'give a source and its files (warehouse load sales.orders orders.csv), or --delivery DIR, not both');
  }
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const sources = [...graph.nodes.values()].filter((n): n is SourceNode => n.type === 'source').map((n) => n.source);
  const failed: Array<{ file: string; code: string; message: string }> = [];
  let work: FileToLoad[];
  if (byDelivery) {
    const delivery = deliveryFiles(options.delivery!, sources);
    work = delivery.files;
    for (const file of delivery.unmatched) {
      const error = new WarehouseError(ErrorCode.loadInvalid, `${file}: its name says no source; name delivered files <system>/<table>.csv or <system>.<table>.csv (.tsv, .ndjson, .jsonl), e.g. sales/orders.csv`);
      failed.push({ file, code: error.code, message: error.message });
      output.error(error);
    }
    if (work.length === 0 && delivery.unmatched.length === 0) output.warn(`${options.delivery}: no delivered files in it`);
  } else {
    const source = sourceNamed(requested!, sources);
    work = files.map((file) => ({ source, file }));
  }
  const adapter = await openDatabase(context, output);
  const loaded: LoadResult[] = [];
  try {
    for (const { source, file } of work) {
      try {
        const result = await loadFile(adapter, source, file, {
          ...(options.format ? { format: options.format } : {}),
          ...(options.delimiter !== undefined ? { delimiter: unescapeDelimiter(options.delimiter) } : {}),
          header: options.columns ? false : options.header,
          ...(options.columns ? { columns: options.columns } : {}),
          ...(options.maxBadRows !== undefined ? { maxBadRows: options.maxBadRows } : {}),
          force: options.force === true,
          ...(options.indexBuildMemory !== undefined ? { indexBuildMemoryMb: options.indexBuildMemory } : {}),
        });
        loaded.push(result);
        output.info(
          `${file}: loaded ${result.rowsLoaded.toLocaleString('en-US')} row(s) into ${result.source} (${result.method === 'copy' ? 'COPY' : 'checked row by row'}, ${(result.durationMs / 1000).toFixed(1)}s)`,
          { loadId: result.loadId, rowsLoaded: result.rowsLoaded, rowsQuarantined: result.rowsQuarantined },
        );
        if (result.rowsQuarantined > 0) {
          output.warn(`${file}: ${result.rowsQuarantined.toLocaleString('en-US')} malformed row(s) went to warehouse_meta.quarantine (load ${result.loadId}). ${describeRows(result.quarantined)}`);
        }
      } catch (error) {
        // a file that cannot be loaded leaves nothing behind; the next file is still loaded
        if (!failedOnlyThisFile(error)) throw error;
        failed.push({ file, code: error.code, message: error.message });
        output.error(error);
      }
    }
  } finally {
    await adapter.close();
  }
  output.result({ loaded, failed });
  return failed.length > 0 ? 1 : 0;
}

/** Errors about one file: the load goes on with the next. */
const FILE_ERRORS = new Set<string>([ErrorCode.loadInvalid, ErrorCode.loadRejected, ErrorCode.loadRepeated]);

/**
 * Whether a failed load leaves the next file worth trying: the file itself was refused, or the
 * database refused it on its source's table (a landing table altered by hand, say). A lost
 * connection or a server out of disk stops the call: every next file would fail the same way.
 */
function failedOnlyThisFile(error: unknown): error is WarehouseError {
  if (!isWarehouseError(error)) return false;
  return FILE_ERRORS.has(error.code) || (error.code === ErrorCode.sqlFailed && !isServerWideDatabaseError(error));
}

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

const DELIVERED = /\.(csv|tsv|ndjson|jsonl)$/i;

/**
 * The files of a delivery folder, each with the source its path names: `sales/orders.csv` or
 * `sales.orders.csv`, and parts of one delivery as `sales/orders.part-2.csv`. In path order, so
 * the parts of a table load in the order they were numbered.
 */
function deliveryFiles(dir: string, sources: readonly AnySource[]): { files: FileToLoad[]; unmatched: string[] } {
  const byName = new Map(sources.map((s) => [sourceName(s), s]));
  const files: FileToLoad[] = [];
  const unmatched: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (DELIVERED.test(entry.name) && statSync(path).isFile()) {
        const [system, table] = relative(dir, path).split(sep).join('.').split('.');
        const source = byName.get(`${system}.${table}`);
        if (source) files.push({ source, file: path });
        else unmatched.push(path);
      }
    }
  };
  try {
    walk(dir);
  } catch (error) {
    throw new WarehouseError(ErrorCode.loadInvalid, `cannot read the delivery folder ${dir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { files, unmatched };
}

/** `\t` as typed on a command line is a tab. */
const unescapeDelimiter = (value: string) => (value === '\\t' || value === 'tab' ? '\t' : value);
