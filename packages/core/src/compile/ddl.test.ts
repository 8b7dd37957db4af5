import { describe, expect, it } from 'vitest';
import {
  comments,
  createQueryView,
  createSchema,
  createTableFromContract,
  createView,
  dropRelation,
  insertFromQueryView,
  renameRelation,
  replaceView,
  staged,
} from './ddl.js';

const relation = { schema: 'sales', name: 'wh_fact_sales' };

describe('ddl', () => {
  it('writes a table from a contract, NOT NULL where declared', () => {
    expect(
      createTableFromContract(staged(relation), {
        order_line_id: { type: 'bigint', nullable: false },
        net: { type: 'numeric(12,2)' },
      }),
    ).toBe('create table "sales"."wh_fact_sales__wh_new" ("order_line_id" bigint not null, "net" numeric(12,2))');
  });

  it('fills a table from the staged query by column name', () => {
    expect(insertFromQueryView(relation, ['a', 'b'])).toBe(
      'insert into "sales"."wh_fact_sales" ("a", "b") select "a", "b" from "pg_temp"."wh_model_query"',
    );
    expect(createQueryView('select 1 as a')).toBe('create temporary view "wh_model_query" as\nselect 1 as a');
  });

  it('writes views, picking contract columns in order', () => {
    expect(createView(relation, 'select 1 as b, 2 as a', ['a', 'b'])).toBe(
      'create view "sales"."wh_fact_sales" as select "a", "b" from (\nselect 1 as b, 2 as a\n) as "model"',
    );
    expect(createView(relation, 'select 1 as a', undefined)).toBe('create view "sales"."wh_fact_sales" as\nselect 1 as a');
  });

  it('quotes identifiers and escapes comment text', () => {
    expect(createSchema('we"ird')).toBe('create schema if not exists "we""ird"');
    expect(comments(relation, 'table', "Sales' lines", { net: { type: 'numeric', description: 'Net, after "discount"' } })).toEqual([
      `comment on table "sales"."wh_fact_sales" is 'Sales'' lines'`,
      `comment on column "sales"."wh_fact_sales"."net" is 'Net, after "discount"'`,
    ]);
  });

  it('renames, drops and re-creates dependent views', () => {
    expect(renameRelation(relation, 'table', 'wh_fact_sales__wh_old')).toBe('alter table "sales"."wh_fact_sales" rename to "wh_fact_sales__wh_old"');
    expect(dropRelation(relation, 'view', true)).toBe('drop view if exists "sales"."wh_fact_sales"');
    expect(replaceView({ schema: 'bi', name: 'v' }, ' SELECT 1;', ['security_barrier=true'])).toBe(
      'create or replace view "bi"."v" with (security_barrier=true) as\nSELECT 1',
    );
  });
});
