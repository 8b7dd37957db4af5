import { describe, expect, it } from 'vitest';
import { startsCompileServer } from '../src/server/auto-start.js';

describe('when a compile leaves a compile server behind', () => {
  it('does so by default only for a person at a terminal outside CI', () => {
    expect(startsCompileServer({}, true)).toBe(true);
    expect(startsCompileServer({}, false)).toBe(false);
    expect(startsCompileServer({ CI: 'true' }, true)).toBe(false);
  });

  it('follows WAREHOUSE_COMPILE_SERVER over the terminal and CI', () => {
    expect(startsCompileServer({ WAREHOUSE_COMPILE_SERVER: 'on' }, false)).toBe(true);
    expect(startsCompileServer({ WAREHOUSE_COMPILE_SERVER: 'on', CI: '1' }, false)).toBe(true);
    expect(startsCompileServer({ WAREHOUSE_COMPILE_SERVER: 'off' }, true)).toBe(false);
  });
});
