import { sql, type RawBuilder } from 'kysely';
import { describe, expect, it } from 'vitest';
import { dimProduct, factOrders, rawOrders, rawProducts, shopModel } from '../../test/fixtures/tiny-project.js';
import { defineModel, isModel, type AnyModel, type ModelConfig } from '../model/define-model.js';
import { isSource } from '../model/define-source.js';
import { eventTimeFloor, renderModelSql, type RelationNames } from './render-model-sql.js';
import { queryBuilder, sqlText } from './sql-text.js';
import { recordSql, replayBody, templateOf } from './sql-template.js';

const names = (prefix = ''): RelationNames => ({
  modelSchema: (name) => ({ dim_product: `${prefix}catalog`, fact_orders: `${prefix}shop`, events: `${prefix}shop`, dim_thing_v2: `${prefix}catalog` })[name],
  resolveModel: (name, version) => (name === 'dim_thing' ? (version === undefined || version === 2 ? 'dim_thing_v2' : undefined) : ['dim_product', 'fact_orders', 'events'].includes(name) ? name : undefined),
  sourceSchema: (system) => `raw_${system}`,
});

/**
 * How a body rendered before templates: run it with a context of real relations. The
 * template renderer must give the same text for every body, mode and naming.
 */
function renderDirectly(model: AnyModel, relations: RelationNames, incremental: boolean, selfMaxValues?: Record<string, string | null>): string {
  const relation = (schema: string, name: string) => sql`${sql.table(`${schema}.${name}`)}`;
  const byName = (name: string, version?: number) => {
    const resolved = relations.resolveModel(name, version);
    const schema = resolved === undefined ? undefined : relations.modelSchema(resolved);
    return resolved === undefined || schema === undefined ? relation('__missing__', name) : relation(schema, resolved);
  };
  const self = relation(relations.modelSchema(model.relationName) ?? '__missing__', model.relationName);
  const maximum = (column: string): RawBuilder<unknown> => {
    if (selfMaxValues === undefined) return sql`(select max(${sql.ref(column)}) from ${self})`;
    const value = selfMaxValues[column];
    const type = model.columns[column]?.type;
    return value === null || value === undefined ? sql`null` : type ? sql`${sql.lit(value)}::${sql.raw(type)}` : sql`${sql.lit(value)}`;
  };
  const context = {
    ref: (target: unknown, options?: { version?: number }) => (isModel(target) ? byName(target.name, target.version) : byName(target as string, options?.version)),
    source: (target: unknown, table?: string) => (isSource(target) ? relation(`raw_${target.system}`, target.name) : relation(`raw_${target as string}`, table!)),
    db: queryBuilder,
    target: { name: 'test' },
    self,
    isIncremental: () => incremental,
    eventTimeFilter: (expression: RawBuilder<unknown>) =>
      incremental && model.incremental?.eventTime ? sql`${expression} >= ${eventTimeFloor(model.incremental, maximum(model.incremental.eventTime))}` : sql`true`,
    selfMax: (column: string) => (incremental ? sql`coalesce(${maximum(column)}, '-infinity')` : sql`'-infinity'`),
  };
  return sqlText((model.sql as (c: unknown) => never)(context)).trim();
}

const columns = { id: { type: 'bigint' }, occurred_at: { type: 'timestamptz' }, _loaded_at: { type: 'timestamptz' } } as const;
const model = (name: string, body: ModelConfig<string, any>['sql'], extra: Partial<ModelConfig<string, any>> = {}) =>
  shopModel(name, body, { materialized: 'table', columns, ...extra });

const bodies: AnyModel[] = [
  factOrders,
  dimProduct,
  model('builder', ({ db, ref }) =>
    db.selectFrom(ref(dimProduct).as('p')).innerJoin(ref('fact_orders').as('o'), 'o.product_id', 'p.product_id').select(['p.product_id']).where('p.name', '<>', "O'Brien"),
  ),
  model('versions', ({ ref }) => sql`select * from ${ref('dim_thing')} a join ${ref('dim_thing', { version: 2 })} b using (id) join ${ref('dim_thing', { version: 1 })} c using (id)`),
  model('missing', ({ ref }) => sql`select * from ${ref('nope')}, ${ref(factOrders)}, ${ref(factOrders)}`),
  model(
    'events',
    ({ source, isIncremental, eventTimeFilter, selfMax, self }) => sql`
      select order_id as id, _loaded_at as occurred_at, _loaded_at from ${source(rawOrders)} o
      where ${eventTimeFilter(sql.ref('o._loaded_at'))}
        and o._loaded_at > ${selfMax('_loaded_at')}
        ${isIncremental() ? sql`and not exists (select from ${self} s where s.id = o.order_id)` : sql``}`,
    { materialized: 'incremental', incremental: { strategy: 'merge', eventTime: 'occurred_at', lookback: { days: 3 } } },
  ),
  model('values', ({ source }) => sql`select ${sql.lit(42)} as id, ${'text'} as t, ${[1, 2]} as a from ${source('shop', 'products')} where ${sql.ref('x.y')} = ${true}`),
];

describe('SQL templates', () => {
  it('render exactly what running the body with real relations gives, in every mode and naming', () => {
    for (const body of bodies) {
      for (const prefix of ['', 'ci_']) {
        for (const incremental of [false, true]) {
          for (const selfMaxValues of [undefined, { occurred_at: '2025-03-01 00:00:00+00', _loaded_at: null }]) {
            const expected = renderDirectly(body, names(prefix), incremental, selfMaxValues);
            const rendered = renderModelSql(body, names(prefix), { targetName: 'test', incremental, ...(selfMaxValues ? { selfMaxValues } : {}) });
            expect(rendered.sql, `${body.name} prefix=${prefix} incremental=${incremental} values=${!!selfMaxValues}`).toBe(expected);
          }
        }
      }
    }
  });

  it('record each relation read as a hole, in order, and run the body again only when it asks isIncremental()', () => {
    const plain = recordSql(factOrders.sql as never, 'model', 'test');
    expect(plain.full.holes).toEqual([
      { kind: 'source', system: 'shop', name: 'orders' },
      { kind: 'ref', name: 'dim_product' },
    ]);
    expect(plain.incremental).toBeUndefined();
    const branching = recordSql(bodies.find((b) => b.name === 'events')!.sql as never, 'model', 'test');
    expect(branching.full.askedIncremental).toBe(true);
    // destructuring `self` reads it: a hole, even if the text does not use it
    expect(branching.incremental?.holes.map((h) => h.kind)).toEqual(['self', 'source', 'eventTimeFilter', 'selfMax']);
  });

  it('are recorded once per body, and per target for a body that reads the target name', () => {
    expect(templateOf(factOrders.sql, 'model', 'dev')).toBe(templateOf(factOrders.sql, 'model', 'prod'));
    const perTarget = model('per_target', ({ target, source }) => sql`select 1 as id from ${source(rawProducts)} where ${sql.lit(target.name)} = 'prod'`);
    const dev = renderModelSql(perTarget, names(), { targetName: 'dev', incremental: false });
    const prod = renderModelSql(perTarget, names(), { targetName: 'prod', incremental: false });
    expect(dev.sql).toContain(`'dev' = 'prod'`);
    expect(prod.sql).toContain(`'prod' = 'prod'`);
    expect(dev.usedTarget).toBe(true);
  });

  it('keep a failing body failing, with its message, in the mode it failed in', () => {
    const failing = model('fails_incrementally', ({ isIncremental, source }) => {
      if (isIncremental()) throw new Error('no incremental logic yet');
      return sql`select 1 as id from ${source(rawProducts)}`;
    });
    expect(renderModelSql(failing, names(), { targetName: 't', incremental: false }).sql).toBe('select 1 as id from "raw_shop"."products"');
    expect(() => renderModelSql(failing, names(), { targetName: 't', incremental: true })).toThrowError(
      /^model fails_incrementally \(.*tiny-project\.ts:\d+\): its sql\(\) failed: no incremental logic yet$/,
    );
  });

  it('replay as a body: asked for its holes in order, it returns the same SQL', () => {
    for (const body of bodies) {
      const replayed = defineModel({ ...body, sql: replayBody(templateOf(body.sql, 'model', 'test')) as never });
      for (const incremental of [false, true]) {
        expect(renderDirectly(replayed, names('p_'), incremental)).toBe(renderDirectly(body, names('p_'), incremental));
      }
    }
  });
});
