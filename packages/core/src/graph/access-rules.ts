import { ErrorCode, type Problem } from '../errors/warehouse-error.js';
import type { IndexedModel } from './project-index.js';

/** Who reads a model: a model or a KPI, with its package and (for models) its group. */
export interface Reader {
  name: string;
  package: string;
  group: string | undefined;
  kind: 'model' | 'kpi' | 'test';
}

/** The dependency and access rules for one read of a model. */
export function checkAccess(from: Reader, to: IndexedModel, fromPackage: { readonly dependencies: readonly string[] }): Problem[] {
  const problems: Problem[] = [];
  const samePackage = from.package === to.package;
  const label = () => `${from.kind} ${from.name} (${from.package}) refs ${to.name} (${to.package})`;
  if (!samePackage && !fromPackage.dependencies.includes(to.package)) {
    problems.push({
      code: ErrorCode.undeclaredDependency,
      model: from.name,
      message: `${label()}, but ${to.package} is not in the dependencies of ${from.package}'s package.json`,
    });
  }
  const access = to.model.access;
  if (access === 'protected' && !samePackage) {
    problems.push({
      code: ErrorCode.accessViolation,
      model: from.name,
      message: `${label()}, which is protected: only models of ${to.package} may ref it`,
    });
  } else if (access === 'private' && (!samePackage || from.group !== to.model.group)) {
    problems.push({
      code: ErrorCode.accessViolation,
      model: from.name,
      message: `${label()}, which is private to group ${to.model.group}: only models of that group in ${to.package} may ref it`,
    });
  }
  return problems;
}
