import { describe, expect, it } from 'vitest';
import { ordersOfDay } from './demo-orders.js';
import { DemoWorld } from './demo-world.js';

const linesInYear = (scale: number) => {
  const world = new DemoWorld(42, scale);
  let lines = 0;
  for (let day = 0; day < 365; day++) for (const order of ordersOfDay(world, day)) lines += order.lines.length;
  return lines;
};

describe('demo orders', () => {
  it('gives about a million order lines a year at scale 1, linear in the scale', () => {
    const full = linesInYear(1);
    expect(full).toBeGreaterThan(900_000);
    expect(full).toBeLessThan(1_100_000);
    const tenth = linesInYear(0.1);
    expect(tenth / full).toBeGreaterThan(0.095);
    expect(tenth / full).toBeLessThan(0.105);
  });

  it('draws the same day the same way every time', () => {
    const a = ordersOfDay(new DemoWorld(1, 0.05), 100);
    const b = ordersOfDay(new DemoWorld(1, 0.05), 100);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(ordersOfDay(new DemoWorld(2, 0.05), 100))).not.toBe(JSON.stringify(a));
  });
});
