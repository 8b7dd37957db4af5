import { describe, expect, it } from 'vitest';
import { figure, stats } from './measure.js';

describe('bench figures', () => {
  it('takes the median, min and max of the runs, the middle two averaged for an even count', () => {
    expect(stats([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(stats([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  });

  it('divides the medians for the ratio, and pairs run by run only what was measured side by side', () => {
    const unpaired = figure('x', 's', [2, 4, 9], [1, 2, 3]);
    expect(unpaired.ratio).toBe(2);
    expect(unpaired.pairedRatio).toBeUndefined();
    // run by run: 2/1, 4/2, 9/3 -> median 2; the ratio of medians is 4/2 = 2 too, here
    const paired = figure('x', 's', [2, 4, 9], [1, 2, 3], { paired: true, target: '< 1' });
    expect(paired).toMatchObject({ ratio: 2, pairedRatio: 2, target: '< 1' });
    // a machine that drifts: the paired ratio keeps to each run's own pair
    const drifting = figure('x', 's', [1, 2, 4], [1, 2, 4], { paired: true });
    expect(drifting.pairedRatio).toBe(1);
    expect(figure('x', 's', [1, 3, 2], [3, 1, 2], { paired: true }).pairedRatio).toBe(1);
  });

  it('turns a throughput figure round, and reports a missing side as no ratio', () => {
    const load = figure('load', 's', [4, 5, 6], [2, 2.5, 3], { ratioOf: 'baseline / value', paired: true });
    expect(load.ratio).toBe(0.5);
    expect(load.pairedRatio).toBe(0.5);
    expect(figure('load', 's', null, [1, 2])).toMatchObject({ value: null, ratio: null });
    expect(figure('load', 's', [1], null)).toMatchObject({ baseline: null, ratio: null });
    // one run has no pair to take a median of
    expect(figure('x', 's', [1], [2], { paired: true }).pairedRatio).toBeUndefined();
  });
});
