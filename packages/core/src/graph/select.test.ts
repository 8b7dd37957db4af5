import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyPackages } from '../../test/fixtures/tiny-project.js';
import { buildGraph } from './assemble-graph.js';
import { parseSelector } from './parse-selector.js';
import { select } from './select.js';

const graph = buildGraph(tinyPackages());
const rootDir = resolve(import.meta.dirname, '../../../..');
const names = (selectArgs: string[], exclude: string[] = []) =>
  select(graph, { select: selectArgs, exclude, rootDir }).map((id) => id.replace(/^model\./, ''));

// dim_product -> fact_orders -> orders_by_product; dim_product -> stg_product_names
describe('select', () => {
  it.each([
    [[], ['dim_product', 'fact_orders', 'orders_by_product', 'stg_product_names']],
    [['fact_orders'], ['fact_orders']],
    [['+fact_orders'], ['dim_product', 'fact_orders']],
    [['fact_orders+'], ['fact_orders', 'orders_by_product']],
    [['+orders_by_product'], ['dim_product', 'fact_orders', 'orders_by_product']],
    [['1+orders_by_product'], ['fact_orders', 'orders_by_product']],
    [['dim_product+1'], ['dim_product', 'fact_orders', 'stg_product_names']],
    [['@fact_orders'], ['dim_product', 'fact_orders', 'orders_by_product']],
    [['tag:finance'], ['fact_orders']],
    [['tag:nightly'], ['dim_product', 'fact_orders']],
    [['domain:catalog'], ['dim_product', 'stg_product_names']],
    [['package:shop'], ['fact_orders', 'orders_by_product']],
    [['package:@t/catalog'], ['dim_product', 'stg_product_names']],
    [['config.materialized:view'], ['orders_by_product', 'stg_product_names']],
    [['access:public'], ['dim_product']],
    [['kind:staging'], ['stg_product_names']],
    [['source:shop.orders+'], ['fact_orders', 'orders_by_product']],
    [['source:shop+'], ['dim_product', 'fact_orders', 'orders_by_product', 'stg_product_names']],
    [['*_product'], ['dim_product', 'orders_by_product']],
    [['fact_orders stg_product_names'], ['fact_orders', 'stg_product_names']],
    [['fact_orders', 'stg_product_names'], ['fact_orders', 'stg_product_names']],
    [['tag:nightly,domain:shop'], ['fact_orders']],
    [['+orders_by_product,tag:nightly'], ['dim_product', 'fact_orders']],
    [['path:packages/core/test/fixtures'], ['dim_product', 'fact_orders', 'orders_by_product', 'stg_product_names']],
  ])('select %j gives %j', (selectArgs, expected) => {
    expect(names(selectArgs)).toEqual(expected);
  });

  it('removes what --exclude matches', () => {
    expect(names(['+orders_by_product'], ['dim_product'])).toEqual(['fact_orders', 'orders_by_product']);
    expect(names([], ['tag:nightly'])).toEqual(['orders_by_product', 'stg_product_names']);
  });

  it('returns models in dependency order whatever the order of the criteria', () => {
    expect(names(['orders_by_product dim_product'])).toEqual(['dim_product', 'orders_by_product']);
  });

  it('rejects a criterion that matches nothing, suggesting a close name', () => {
    expect(() => names(['fact_order'])).toThrowError('selector "fact_order" matches nothing in the project (did you mean fact_orders?)');
    expect(() => names(['tag:weekly'])).toThrowError('selector "tag:weekly" matches nothing in the project');
  });

  it('rejects an unknown method, pointing at the criterion', () => {
    expect(() => names(['tga:nightly'])).toThrowError(/^invalid selector "tga:nightly": unknown method "tga" \(did you mean tag\?\)/);
  });
});

describe('parseSelector', () => {
  it('reads unions, intersections and graph operators', () => {
    expect(parseSelector('2+tag:a,b+ @c')).toEqual([
      [
        { text: '2+tag:a', method: 'tag', value: 'a', parents: 2, children: 0, childrenWithParents: false },
        { text: 'b+', method: 'name', value: 'b', parents: 0, children: 'all', childrenWithParents: false },
      ],
      [{ text: '@c', method: 'name', value: 'c', parents: 0, children: 0, childrenWithParents: true }],
    ]);
  });

  it.each([
    ['a,,b', 'invalid selector "a,,b": an empty part between commas'],
    ['@+a', 'invalid selector "@+a": `@` cannot be combined with a leading `+`'],
    ['tag:', 'invalid selector "tag:": method tag needs a value'],
    ['a++', 'invalid selector "a++": expected [@][N+]method:value[+N]'],
  ])('rejects %s', (input, message) => {
    expect(() => parseSelector(input)).toThrowError(message);
  });
});
