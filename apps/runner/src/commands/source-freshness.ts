import { checkFreshness, selectNodes, type SourceNode } from '@warehouse/core';
import type { Output } from '../output.js';
import { formatTable } from './ls.js';
import { loadGraph, openDatabase, openProject, selectionFor, type CommonOptions, type SelectionOptions } from './project-context.js';

/**
 * `warehouse source freshness`: how old the newest landed row of each source is, against its
 * freshness rule. Exit 1 when a source is past its error threshold.
 */
export async function run(options: CommonOptions & SelectionOptions & { now?: string }, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const all = [...graph.nodes.values()].filter((n): n is SourceNode => n.type === 'source');
  // sources are picked with source: criteria (source:sales, source:erp.products); all without
  const picked = (options.select?.length ?? 0) > 0 || options.selector ? new Set(selectNodes(graph, selectionFor(context, options)).sources) : undefined;
  const sources = picked ? all.filter((s) => picked.has(s.id)) : all;
  const adapter = await openDatabase(context, output);
  try {
    const results = await checkFreshness(adapter, sources.map((s) => s.source), options.now ? new Date(options.now) : new Date());
    output.result(results);
    output.text(
      formatTable(
        ['source', 'status', 'newest row', 'age (h)', 'warn after (h)', 'error after (h)'],
        results.map((r) => [r.source, r.status.toUpperCase(), r.newest ?? '-', r.ageHours === null ? '-' : r.ageHours.toFixed(1), String(r.warnAfterHours ?? '-'), String(r.errorAfterHours ?? '-')]),
      ),
    );
    for (const r of results) if (r.status !== 'pass') output.warn(`source ${r.source}: ${r.message}`);
    return results.some((r) => r.status === 'error') ? 1 : 0;
  } finally {
    await adapter.close();
  }
}
