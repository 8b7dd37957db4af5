import { sql } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import { describeDatabaseError } from '../adapter/database-error.js';
import { relationNamesFor, type SchemaNaming } from '../compile/relation-names.js';
import { renderSql } from '../compile/render-model-sql.js';
import { sqlText } from '../compile/sql-text.js';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import type { ProjectGraph } from '../graph/project-graph.js';
import type { Kpi, KpiUnit } from './define-kpi.js';

export interface KpiRequest extends SchemaNaming {
  /** First day, YYYY-MM-DD, inclusive. */
  from: string;
  /** Last day, YYYY-MM-DD, inclusive. */
  to: string;
  targetName: string;
}

export interface KpiResult {
  name: string;
  domain: string;
  unit: KpiUnit;
  description: string;
  from: string;
  to: string;
  /** Null when there is nothing to measure (no data in the period, a zero denominator). */
  value: number | null;
  /** The query's other columns. */
  details: Record<string, unknown>;
  sql: string;
}

const DAY_MS = 86_400_000;
const dateLiteral = (date: string) => sql<string>`${sql.lit(date)}::date`;
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The SQL of a KPI for a period on a target. */
export function renderKpiSql(graph: ProjectGraph, kpi: Kpi, request: KpiRequest): string {
  const length = Math.round((Date.parse(request.to) - Date.parse(request.from)) / DAY_MS) + 1;
  const period = {
    from: dateLiteral(request.from),
    to: dateLiteral(request.to),
    previousFrom: dateLiteral(shift(request.from, -length)),
    previousTo: dateLiteral(shift(request.from, -1)),
  };
  return renderSql(`kpi ${kpi.name}`, kpi.definedAt, kpi.sql, 'kpi', relationNamesFor(graph, request), request.targetName, { period: (part) => sqlText(period[part]) }).sql;
}

/** Computes one KPI; numbers come back as JS numbers, the rest of the row as details. */
export async function runKpi(adapter: Adapter, graph: ProjectGraph, kpi: Kpi, request: KpiRequest): Promise<KpiResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(request.from) || !/^\d{4}-\d{2}-\d{2}$/.test(request.to) || request.to < request.from) {
    throw new WarehouseError(ErrorCode.configInvalid, `kpi ${kpi.name}: the period must be two dates, from <= to; got ${request.from}..${request.to}`);
  }
  const text = renderKpiSql(graph, kpi, request);
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await adapter.withConnection(async (db) => (await sql.raw<Record<string, unknown>>(text).execute(db)).rows);
  } catch (error) {
    throw new WarehouseError(ErrorCode.sqlFailed, `kpi ${kpi.name} failed: ${describeDatabaseError(error)}`, { cause: error });
  }
  if (rows.length !== 1 || !('value' in rows[0]!)) {
    throw new WarehouseError(ErrorCode.sqlFailed, `kpi ${kpi.name} must return one row with a value column, got ${rows.length} row(s)`);
  }
  const { value, ...details } = rows[0]!;
  return {
    name: kpi.name,
    domain: kpi.domain,
    unit: kpi.unit,
    description: kpi.description,
    from: request.from,
    to: request.to,
    value: toNumber(value),
    details: Object.fromEntries(Object.entries(details).map(([k, v]) => [k, toNumber(v) ?? v])),
    sql: text,
  };
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}
