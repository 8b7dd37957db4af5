import { isModel, type AnyModel } from '../model/define-model.js';
import { isSource, type AnySource } from '../model/define-source.js';
import { isKpi, type Kpi } from '../kpi/define-kpi.js';

/**
 * Finds the models, sources and KPIs among a package's exports: exported directly, or inside an
 * exported array or plain object (a package lists its protected models in `models`, say).
 * Each is returned once, in the order first seen.
 */
export function collectDefinitions(exports: Record<string, unknown>): { models: AnyModel[]; sources: AnySource[]; kpis: Kpi[] } {
  const models = new Set<AnyModel>();
  const sources = new Set<AnySource>();
  const kpis = new Set<Kpi>();
  const visit = (value: unknown, depth: number) => {
    if (isModel(value)) models.add(value);
    else if (isSource(value)) sources.add(value);
    else if (isKpi(value)) kpis.add(value);
    else if (depth < 2 && Array.isArray(value)) value.forEach((v) => visit(v, depth + 1));
    else if (depth < 2 && value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      Object.values(value).forEach((v) => visit(v, depth + 1));
    }
  };
  for (const value of Object.values(exports)) visit(value, 0);
  return { models: [...models], sources: [...sources], kpis: [...kpis] };
}
