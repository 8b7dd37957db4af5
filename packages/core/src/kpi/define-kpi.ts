import type { RawBuilder } from 'kysely';
import type { SqlContextBase } from '../compile/render-model-sql.js';
import type { SqlSource } from '../compile/sql-text.js';
import { DEFINITION_SITE, definitionSite, type DefinitionSite } from '../model/defined-at.js';

export const KPI_BRAND = Symbol.for('warehouse.kpi');

/** How a KPI's value reads: money, a share (0..1), a count, days, or a plain ratio. */
export type KpiUnit = 'currency' | 'share' | 'count' | 'days' | 'ratio';

/** The period a KPI is asked for, as SQL date expressions (inclusive). */
export interface KpiPeriod {
  from: RawBuilder<string>;
  to: RawBuilder<string>;
  /** The period of the same length just before, for comparisons such as retention. */
  previousFrom: RawBuilder<string>;
  previousTo: RawBuilder<string>;
}

/** What a KPI's `sql` function receives: refs and sources as in models, and the period. */
export interface KpiContext extends SqlContextBase {
  period: KpiPeriod;
}

export interface KpiConfig<N extends string> {
  /** Unique across the project, e.g. `revenue`. */
  name: N;
  domain: string;
  /** What the number means and how it is computed, for the docs and `warehouse kpi`. */
  description: string;
  owner: string;
  unit: KpiUnit;
  /**
   * One row with a `value` column (other columns are details, e.g. numerator and
   * denominator), computed over the public models of the domain and its dependencies.
   */
  sql: (context: KpiContext) => SqlSource;
}

export interface Kpi<N extends string = string> extends Readonly<KpiConfig<N>> {
  readonly [KPI_BRAND]: true;
  readonly definedAt: string | undefined;
}

/**
 * Declares a KPI: a named, documented query over models.
 *
 * @example
 * export const revenue = defineKpi({
 *   name: 'revenue', domain: 'sales', unit: 'currency', owner: 'sales-analytics',
 *   description: 'Net revenue: paid minus refunded, cancelled orders excluded.',
 *   sql: ({ ref, period }) => sql`select sum(net_revenue) as value from ${ref(whFactSales)}
 *     where order_date between ${period.from} and ${period.to}`,
 * });
 */
export function defineKpi<const N extends string>(config: KpiConfig<N>): Kpi<N> {
  return createKpi(config, definitionSite());
}

/** A KPI from its config and where it was declared (also how the compile cache restores one). */
export function createKpi<const N extends string>(config: KpiConfig<N>, site: DefinitionSite): Kpi<N> {
  return Object.freeze({
    ...config,
    [KPI_BRAND]: true as const,
    [DEFINITION_SITE]: site,
    get definedAt() {
      return site.location();
    },
  });
}

export function isKpi(value: unknown): value is Kpi {
  return typeof value === 'object' && value !== null && KPI_BRAND in value;
}
