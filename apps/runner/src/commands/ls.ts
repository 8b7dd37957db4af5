import type { ModelNode } from '@warehouse/core';
import type { Output } from '../output.js';
import { loadGraph, openProject, selectModels, type CommonOptions, type SelectionOptions } from './project-context.js';

export interface LsOptions extends CommonOptions, SelectionOptions {
  long?: boolean;
}

/** `warehouse ls`: the selected models, in dependency order. */
export async function run(options: LsOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const nodes = selectModels(graph, context, options).map((id) => graph.nodes.get(id) as ModelNode);
  output.result(
    nodes.map((n) => ({
      name: n.name,
      package: n.package,
      domain: n.model.domain,
      kind: n.model.kind,
      materialized: n.model.materialized,
      access: n.model.access,
      tags: n.model.tags,
      owner: n.model.owner,
      dependsOn: n.dependsOn,
    })),
  );
  if (!options.long) {
    output.text(nodes.map((n) => n.name));
    return 0;
  }
  const rows = nodes.map((n) => [n.name, n.model.domain, n.model.kind, n.model.materialized, n.model.access, n.model.tags.join(',')]);
  const header = ['model', 'domain', 'kind', 'materialized', 'access', 'tags'];
  output.text(formatTable(header, rows));
  return 0;
}

/** Columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
