import { sql, type Kysely } from 'kysely';
import { domainSchema, sourceSchema, type SchemaNaming } from '../compile/relation-names.js';
import { sqlText } from '../compile/sql-text.js';
import { ErrorCode, WarehouseError } from '../errors/warehouse-error.js';
import type { ModelNode, ProjectGraph } from '../graph/project-graph.js';

/**
 * Database roles that mirror the access rules: one role per domain (`<prefix><domain>`), able to
 * read its own domain's relations, the public models of the domains its package depends on,
 * and the landed sources; nothing else. Protected, private and staging relations of other
 * domains stay unreadable: a forbidden SELECT fails with a permission error.
 */
export interface AccessPlan {
  /** Every domain role. */
  roles: string[];
  /** Schema -> roles that need USAGE on it. */
  schemaUsage: Record<string, string[]>;
  /** Landing schemas every domain role may read. */
  sourceSchemas: string[];
  /** Model id -> roles that may SELECT from it. */
  readers: Record<string, string[]>;
}

export const domainRole = (prefix: string, domain: string) => `${prefix}${domain}`;

export function planAccess(graph: ProjectGraph, naming: SchemaNaming & { rolePrefix: string }): AccessPlan {
  const domainOf = new Map<string, string>();
  for (const pkg of graph.packages.values()) if (pkg.domain) domainOf.set(pkg.name, pkg.domain);
  const roles = [...new Set(domainOf.values())].sort().map((d) => domainRole(naming.rolePrefix, d));
  const readers: Record<string, string[]> = {};
  const usage = new Map<string, Set<string>>();
  const use = (schema: string, role: string) => usage.set(schema, (usage.get(schema) ?? new Set()).add(role));
  for (const node of graph.nodes.values()) {
    if (node.type !== 'model') continue;
    const model = (node as ModelNode).model;
    const schema = domainSchema(model.domain, naming);
    const allowed = new Set([domainRole(naming.rolePrefix, model.domain)]);
    if (model.access === 'public') {
      for (const pkg of graph.packages.values()) {
        if (pkg.domain && pkg.dependencies.includes(node.package)) allowed.add(domainRole(naming.rolePrefix, pkg.domain));
      }
    }
    readers[node.id] = [...allowed].sort();
    for (const role of allowed) use(schema, role);
  }
  const sourceSchemas = [...new Set([...graph.nodes.values()].filter((n) => n.type === 'source').map((n) => sourceSchema((n as { source: { system: string } }).source.system)))].sort();
  const schemaUsage = Object.fromEntries([...usage].sort(([a], [b]) => a.localeCompare(b)).map(([schema, set]) => [schema, [...set].sort()]));
  return { roles, schemaUsage, sourceSchemas, readers };
}

/**
 * Creates the roles that do not exist yet (NOLOGIN: people and tools get them granted) and the
 * schema-level grants. Safe to run concurrently from several databases of one cluster.
 */
export async function setupAccess(connection: Kysely<any>, access: AccessPlan): Promise<void> {
  const run = (statement: string) => sql.raw(statement).execute(connection);
  for (const role of access.roles) {
    const create = sqlText(sql`create role ${sql.id(role)} nologin`).replace(/'/g, "''");
    try {
      // roles are shared by the whole cluster: another database may be creating the same one
      await run(`do $$ begin execute '${create}'; exception when duplicate_object or unique_violation then null; end $$`);
    } catch (error) {
      throw new WarehouseError(
        ErrorCode.accessViolation,
        `cannot create the domain role ${role}: ${(error as Error).message}; grant CREATEROLE to the user the runner connects as, create the roles beforehand, or set roles.enabled: false in warehouse.config.ts`,
        { cause: error },
      );
    }
  }
  for (const [schema, roles] of Object.entries(access.schemaUsage)) {
    await run(sqlText(sql`grant usage on schema ${sql.id(schema)} to ${sql.join(roles.map((r) => sql.id(r)))}`));
  }
  for (const schema of access.sourceSchemas) {
    const exists = await sql<{ found: boolean }>`select exists (select from pg_namespace where nspname = ${schema}) as found`.execute(connection);
    if (!exists.rows[0]?.found) continue;
    const everyone = sql.join(access.roles.map((r) => sql.id(r)));
    await run(sqlText(sql`grant usage on schema ${sql.id(schema)} to ${everyone}`));
    await run(sqlText(sql`grant select on all tables in schema ${sql.id(schema)} to ${everyone}`));
  }
}

/** GRANT SELECT to the readers of a relation and REVOKE it from every other domain role. */
export function grantStatements(relation: { schema: string; name: string }, readers: readonly string[], allRoles: readonly string[]): string[] {
  const target = sql.id(relation.schema, relation.name);
  const others = allRoles.filter((r) => !readers.includes(r));
  return [
    ...(readers.length > 0 ? [sqlText(sql`grant select on ${target} to ${sql.join(readers.map((r) => sql.id(r)))}`)] : []),
    ...(others.length > 0 ? [sqlText(sql`revoke all on ${target} from ${sql.join(others.map((r) => sql.id(r)))}`)] : []),
  ];
}
