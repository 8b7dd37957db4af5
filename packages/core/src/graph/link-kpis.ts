import { renderSql } from '../compile/render-model-sql.js';
import { ErrorCode, isWarehouseError, type Problem } from '../errors/warehouse-error.js';
import { checkAccess, type Reader } from './access-rules.js';
import type { AssemblyContext } from './assembly-context.js';
import { closestName } from './closest-name.js';
import type { KpiNode, WarehousePackage } from './project-graph.js';

/**
 * A package's KPIs, checked like models: names unique in the package (the project checks them
 * across packages), domain, refs, access, dependencies.
 */
export function linkKpis(pkg: WarehousePackage, context: AssemblyContext, problems: Problem[]): Map<string, KpiNode> {
  const kpis = new Map<string, KpiNode>();
  {
    for (const kpi of pkg.kpis ?? []) {
      const where = kpi.definedAt ? ` (${kpi.definedAt})` : '';
      const existing = kpis.get(kpi.name);
      if (existing) {
        if (existing.kpi !== kpi) {
          problems.push({ code: ErrorCode.duplicateModel, model: kpi.name, message: `kpi ${kpi.name} is declared twice: in ${existing.package} and in ${pkg.name}${where}` });
        }
        continue;
      }
      if (!/^[a-z_][a-z0-9_]*$/.test(kpi.name)) {
        problems.push({ code: ErrorCode.modelInvalid, model: kpi.name, message: `kpi ${kpi.name}${where}: its name must be a lower-case identifier` });
      }
      if (pkg.domain !== undefined && kpi.domain !== pkg.domain) {
        problems.push({ code: ErrorCode.domainMismatch, model: kpi.name, message: `kpi ${kpi.name}${where} declares domain ${kpi.domain}, but its package owns domain ${pkg.domain}` });
      }
      const node: KpiNode = { name: kpi.name, package: pkg.name, kpi, dependsOn: [] };
      kpis.set(kpi.name, node);
      let rendered;
      try {
        rendered = renderSql(`kpi ${kpi.name}`, kpi.definedAt, kpi.sql, 'kpi', context.names, 'discovery', { period: () => 'current_date' });
      } catch (error) {
        if (!isWarehouseError(error)) throw error;
        problems.push({ code: error.code, model: kpi.name, message: error.message });
        continue;
      }
      for (const name of rendered.missingRefs) {
        problems.push({ code: ErrorCode.missingModel, model: kpi.name, message: `kpi ${kpi.name}${where} refs ${name}, which no package declares${suggest(name, context.modelNames())}` });
      }
      const reader: Reader = { name: kpi.name, package: pkg.name, group: undefined, kind: 'kpi' };
      for (const name of [...new Set(rendered.refs)].sort()) {
        const target = context.model(name)!;
        problems.push(...checkAccess(reader, target, pkg));
        node.dependsOn.push(target.id);
      }
      for (const key of [...new Set(rendered.sources)].sort()) {
        const target = context.source(key);
        if (!target) problems.push({ code: ErrorCode.missingSource, model: kpi.name, message: `kpi ${kpi.name}${where} reads source ${key}, which no package declares` });
        else node.dependsOn.push(target.id);
      }
    }
  }
  return kpis;
}

function suggest(name: string, known: Iterable<string>): string {
  const near = closestName(name, known);
  return near === undefined ? '' : `; did you mean ${near}?`;
}
