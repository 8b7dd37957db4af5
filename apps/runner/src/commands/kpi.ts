import { ErrorCode, runKpi, WarehouseError, type KpiResult, type KpiUnit } from '@warehouse/core';
import type { Output } from '../output.js';
import { formatTable } from './ls.js';
import { loadGraph, openDatabase, openProject, type CommonOptions } from './project-context.js';

export interface KpiOptions extends CommonOptions {
  from?: string;
  to?: string;
  domain?: string;
}

const DAY_MS = 86_400_000;

/** The default period: the 365 days up to and including today (UTC). */
export function defaultPeriod(now = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  return { from: new Date(Date.parse(to) - 364 * DAY_MS).toISOString().slice(0, 10), to };
}

/**
 * `warehouse kpi [name...]`: compute KPIs over the built models for a period. Without names,
 * every KPI (of `--domain`, if given).
 */
export async function run(names: string[], options: KpiOptions, output: Output): Promise<number> {
  const context = await openProject(options, output);
  const graph = await loadGraph(context, output);
  const all = [...graph.kpis.values()].sort((a, b) => a.kpi.domain.localeCompare(b.kpi.domain) || a.name.localeCompare(b.name));
  for (const name of names) {
    if (!graph.kpis.has(name)) {
      throw new WarehouseError(ErrorCode.selectorInvalid, `no KPI named ${name}; known: ${all.map((k) => k.name).join(', ')}`);
    }
  }
  const chosen = all.filter((k) => (names.length === 0 || names.includes(k.name)) && (!options.domain || k.kpi.domain === options.domain));
  const period = { ...defaultPeriod(), ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) };
  const adapter = await openDatabase(context, output);
  try {
    const results: KpiResult[] = [];
    for (const node of chosen) {
      results.push(await runKpi(adapter, graph, node.kpi, { ...period, targetName: context.target.name, schemaPrefix: context.target.schemaPrefix }));
    }
    output.result(results.map(({ sql: _sql, ...rest }) => rest));
    output.text([
      `KPIs for ${period.from} .. ${period.to}`,
      ...formatTable(
        ['kpi', 'domain', 'value', 'details'],
        results.map((r) => [r.name, r.domain, formatValue(r.value, r.unit), Object.entries(r.details).map(([k, v]) => `${k}=${v}`).join(' ')]),
      ),
    ]);
    if (chosen.length === 1) output.text(['', chosen[0]!.kpi.description]);
    return 0;
  } finally {
    await adapter.close();
  }
}

export function formatValue(value: number | null, unit: KpiUnit): string {
  if (value === null) return '-';
  switch (unit) {
    case 'currency':
      return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case 'share':
      return `${(value * 100).toFixed(1)}%`;
    case 'days':
      return `${value.toFixed(1)} days`;
    case 'count':
      return value.toLocaleString('en-US');
    case 'ratio':
      return value.toFixed(4);
  }
}
