import { grantStatements } from '../../access/domain-roles.js';
import type { RelationName } from '../../compile/ddl.js';
import type { MaterializeContext } from './materialize-context.js';

/** Gives a model's relation (staged or live) the SELECT grants of its readers, when roles are on. */
export async function applyGrants(context: MaterializeContext, relation: RelationName): Promise<void> {
  const grants = context.node.grants;
  if (!grants) return;
  for (const statement of grantStatements(relation, grants.readers, grants.roles)) await context.run(statement);
}
