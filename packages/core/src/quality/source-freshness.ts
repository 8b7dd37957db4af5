import { sql } from 'kysely';
import type { Adapter } from '../adapter/adapter.js';
import { describeDatabaseError } from '../adapter/database-error.js';
import { sourceName, type AnySource } from '../model/define-source.js';

export interface FreshnessResult {
  /** `system.name` */
  source: string;
  status: 'pass' | 'warn' | 'error';
  /** The newest loaded-at value, ISO; null when the table is empty or missing. */
  newest: string | null;
  ageHours: number | null;
  warnAfterHours?: number;
  errorAfterHours?: number;
  message: string;
}

/**
 * Checks each source that has a freshness rule: the age of its newest loaded-at value against
 * `warnAfter` and `errorAfter`. An empty or missing table is an error (nothing has landed).
 */
export async function checkFreshness(adapter: Adapter, sources: readonly AnySource[], now: Date): Promise<FreshnessResult[]> {
  const results: FreshnessResult[] = [];
  for (const source of sources) {
    const rule = source.freshness;
    if (!rule) continue;
    const base = {
      source: sourceName(source),
      ...(rule.warnAfter ? { warnAfterHours: rule.warnAfter.hours } : {}),
      ...(rule.errorAfter ? { errorAfterHours: rule.errorAfter.hours } : {}),
    };
    let newest: Date | null;
    try {
      newest = await adapter.withConnection(async (db) => {
        const { rows } = await sql<{ newest: Date | null }>`select max(${sql.ref(source.loadedAt)}) as newest from ${sql.id(source.schema, source.name)}`.execute(db);
        return rows[0]?.newest ?? null;
      });
    } catch (error) {
      results.push({ ...base, status: 'error', newest: null, ageHours: null, message: `cannot read ${source.schema}.${source.name}: ${describeDatabaseError(error)}` });
      continue;
    }
    if (newest === null) {
      results.push({ ...base, status: 'error', newest: null, ageHours: null, message: `${source.schema}.${source.name} is empty: nothing has landed` });
      continue;
    }
    const ageHours = (now.getTime() - new Date(newest).getTime()) / 3_600_000;
    const status = rule.errorAfter && ageHours > rule.errorAfter.hours ? 'error' : rule.warnAfter && ageHours > rule.warnAfter.hours ? 'warn' : 'pass';
    const limit = status === 'error' ? rule.errorAfter!.hours : status === 'warn' ? rule.warnAfter!.hours : undefined;
    results.push({
      ...base,
      status,
      newest: new Date(newest).toISOString(),
      ageHours: Math.round(ageHours * 10) / 10,
      message: limit === undefined ? 'fresh' : `newest row is ${ageHours.toFixed(1)} h old, more than ${limit} h`,
    });
  }
  return results;
}
