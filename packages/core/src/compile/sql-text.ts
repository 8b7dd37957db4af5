import {
  createQueryId,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type OperationNodeSource,
  type RootOperationNode,
} from 'kysely';

/**
 * A Postgres compiler that writes values as literals instead of `$n` parameters. Model SQL
 * ends up inside CREATE TABLE/VIEW statements, which cannot take parameters, and compiled
 * SQL is stored as text in `target/compiled/`, where it must run as written.
 */
class InlineValueCompiler extends PostgresQueryCompiler {
  protected override appendValue(value: unknown): void {
    this.appendLiteral(value);
  }

  private appendLiteral(value: unknown): void {
    if (value === null || value === undefined) this.append('null');
    else if (typeof value === 'string') this.appendStringLiteral(value);
    else if (typeof value === 'number' || typeof value === 'bigint') {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot write ${value} as SQL`);
      this.append(String(value));
    } else if (typeof value === 'boolean') this.append(value ? 'true' : 'false');
    else if (value instanceof Date) {
      this.appendStringLiteral(value.toISOString());
      this.append('::timestamptz');
    } else if (Array.isArray(value)) {
      this.append('array[');
      value.forEach((item, i) => {
        if (i > 0) this.append(', ');
        this.appendLiteral(item);
      });
      this.append(']');
    } else {
      this.appendStringLiteral(JSON.stringify(value));
      this.append('::jsonb');
    }
  }
}

const compiler = new InlineValueCompiler();

/**
 * A Kysely instance that only builds and compiles queries (it has no connection), used for
 * model bodies written with the query builder.
 */
export const queryBuilder: Kysely<any> = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new InlineValueCompiler(),
  },
});

/** Something kysely can turn into SQL: a `sql` template, a query builder, a raw node. */
export type SqlSource = OperationNodeSource;

/** Deterministic SQL text, values inlined as literals. */
export function sqlText(source: SqlSource): string {
  return compiler.compileQuery(source.toOperationNode() as RootOperationNode, createQueryId()).sql;
}
