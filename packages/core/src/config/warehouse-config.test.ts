import { describe, expect, it } from 'vitest';
import { parseConfig, resolveTarget } from './warehouse-config.js';

describe('parseConfig', () => {
  it('fills defaults: an auto dev target on PGlite or DATABASE_URL', () => {
    const { config, errors, warnings } = parseConfig({});
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config!.defaultTarget).toBe('dev');
    expect(config!.targets.dev).toMatchObject({ type: 'auto', urlEnv: 'DATABASE_URL', dataDir: '.warehouse/dev' });
  });

  it('warns about unknown keys and still gives the config', () => {
    const parsed = parseConfig({ threads: 2, colour: 'blue', targets: { dev: { type: 'pglite', tthreads: 3 } } });
    expect(parsed.errors).toEqual([]);
    expect(parsed.warnings).toEqual([
      'warehouse.config.ts: (root): Unrecognized key: "colour"',
      'warehouse.config.ts: targets.dev: Unrecognized key: "tthreads"',
    ]);
    expect(parsed.config!.threads).toBe(2);
  });

  it('errors with the path of each bad value', () => {
    const parsed = parseConfig({ threads: 0, defaultTarget: 'prod', targets: { dev: { type: 'mysql' } } });
    expect(parsed.config).toBeUndefined();
    expect(parsed.errors).toEqual([
      expect.stringMatching(/^warehouse\.config\.ts: threads: /),
      expect.stringMatching(/^warehouse\.config\.ts: targets\.dev\.type: /),
    ]);
  });
});

describe('resolveTarget', () => {
  const { config } = parseConfig({ targets: { dev: { type: 'auto' }, prod: { type: 'pg', urlEnv: 'PROD_URL', threads: 8 } } });

  it('uses PGlite when DATABASE_URL is unset, with one thread', () => {
    const target = resolveTarget(config!, {}, {}, '/repo');
    expect(target).toEqual({ name: 'dev', adapter: { type: 'pglite', dataDir: '/repo/.warehouse/dev' }, schemaPrefix: '', threads: 1 });
  });

  it('uses the server when DATABASE_URL is set', () => {
    const target = resolveTarget(config!, { threads: 3 }, { DATABASE_URL: 'postgres://h/db' }, '/repo');
    expect(target.adapter).toEqual({ type: 'pg', url: 'postgres://h/db', maxConnections: 4 });
    expect(target.threads).toBe(3);
  });

  it('passes session settings to server connections', () => {
    const { config: withSettings } = parseConfig({ targets: { dev: { type: 'auto', sessionSettings: { jit: 'off' } } } });
    expect(resolveTarget(withSettings!, {}, { DATABASE_URL: 'postgres://h/db' }, '/repo').adapter).toEqual({
      type: 'pg',
      url: 'postgres://h/db',
      maxConnections: 5,
      sessionSettings: { jit: 'off' },
    });
    expect(parseConfig({ targets: { dev: { type: 'pg', sessionSettings: { 'jit; drop': 'x' } } } }).errors).toEqual([
      expect.stringMatching(/^warehouse\.config\.ts: targets\.dev\.sessionSettings\.jit; drop: Invalid key/),
    ]);
  });

  it('names the variable a server target is missing', () => {
    expect(() => resolveTarget(config!, { name: 'prod' }, {}, '/repo')).toThrowError('target "prod" connects to PostgreSQL, but PROD_URL is not set');
  });

  it('names the known targets when asked for an unknown one', () => {
    expect(() => resolveTarget(config!, { name: 'qa' }, {}, '/repo')).toThrowError('unknown target "qa"; warehouse.config.ts defines: dev, prod');
  });
});
