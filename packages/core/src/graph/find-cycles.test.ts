import { describe, expect, it } from 'vitest';
import { findCycles } from './find-cycles.js';
import { topologicalOrder } from './topological-order.js';

const edges = (map: Record<string, string[]>) => (n: string) => map[n] ?? [];

describe('findCycles', () => {
  it('finds no cycle in a DAG', () => {
    expect(findCycles(['a', 'b', 'c'], edges({ a: ['b'], b: ['c'] }))).toEqual([]);
  });

  it('gives one path per cycle, from its smallest member', () => {
    const graph = { a: ['b'], b: ['c'], c: ['a'], x: ['y'], y: ['x'], z: ['z'] };
    expect(findCycles(Object.keys(graph), edges(graph))).toEqual([
      ['a', 'b', 'c', 'a'],
      ['x', 'y', 'x'],
      ['z', 'z'],
    ]);
  });

  it('handles long chains without overflowing the stack', () => {
    const map: Record<string, string[]> = {};
    for (let i = 0; i < 50_000; i++) map[`n${i}`] = [`n${i + 1}`];
    map.n50000 = ['n0'];
    const cycles = findCycles(Object.keys(map).concat('n50000'), edges(map));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(50_002);
  });
});

describe('topologicalOrder', () => {
  it('puts dependencies first and breaks ties by name', () => {
    const deps = { d: ['b', 'c'], c: ['a'], b: ['a'], a: [] };
    expect(topologicalOrder(['d', 'c', 'b', 'a'], edges(deps))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('ignores dependencies outside the set', () => {
    expect(topologicalOrder(['b'], edges({ b: ['outside'] }))).toEqual(['b']);
  });
});
