import { afterAll, describe, expect, it } from 'vitest';
import { domainPackageJson, logMessages, tempProject, warehouse } from './support/cli.js';

const model = (name: string, body: string) => `import { defineModel, sql } from '@warehouse/core';
export const ${name} = defineModel({
  name: '${name}', domain: 'shop', kind: 'fact', description: 'x', owner: 'o', grain: ['id'], materialized: 'view',
  columns: { id: { type: 'integer' } },
  sql: ${body},
});
`;

describe('warehouse CLI', () => {
  it('prints help for the program and every command, exit 0', async () => {
    const top = await warehouse(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['build', 'compile', 'ls', 'seed-demo', 'demo']) expect(top.stdout).toContain(command);
    for (const command of ['build', 'compile', 'ls', 'seed-demo', 'demo']) {
      const help = await warehouse([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain('--target');
      expect(help.stdout).toContain('--json');
    }
    expect((await warehouse(['build', '--help'])).stdout).toContain('--full-refresh');
  });

  it('exits 2 on a usage error', async () => {
    const result = await warehouse(['build', '--threads', 'zero']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/option '--threads <n>' argument 'zero' is invalid/);
    expect((await warehouse(['frobnicate'])).code).toBe(2);
  });

  it('lists the warehouse models with ls, selection applied', async () => {
    const result = await warehouse(['ls', '--select', '+wh_fact_sales', '--exclude', 'tag:staging']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'wh_dim_audience_segments',
      'wh_dim_consumer',
      'wh_dim_location',
      'wh_dim_media_channels',
      'wh_dim_product',
      'wh_dim_offers',
      'wh_fact_sales',
    ]);
  });

  it('rejects an unknown selector with exit 2 and the offending part', async () => {
    const result = await warehouse(['ls', '--select', 'wh_fact_sale']);
    expect(result.code).toBe(2);
    expect(logMessages(result.stdout)).toEqual(['selector "wh_fact_sale" matches nothing in the project (did you mean wh_fact_sales?)']);
    const method = await warehouse(['ls', '--select', 'domian:sales', '--json']);
    expect(method.code).toBe(2);
    expect(logMessages(method.stderr)[0]).toMatch(/^invalid selector "domian:sales": unknown method "domian" \(did you mean domain\?\)/);
  });

  it('names host and port when the database is unreachable, exit 2, no stack', async () => {
    const result = await warehouse(['build'], { env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5999/nowhere' } });
    expect(result.code).toBe(2);
    const [line] = result.stdout.trim().split('\n').filter((l) => l.includes('"level":50'));
    const logged = JSON.parse(line!) as { msg: string; code: string; stack?: string };
    expect(logged.code).toBe('CONNECTION_FAILED');
    expect(logged.msg).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:5999\/nowhere: .*ECONNREFUSED/);
    expect(logged.stack).toBeUndefined();
  });

  describe('in a project with mistakes', () => {
    const projects: Array<{ dispose: () => void }> = [];
    afterAll(() => projects.forEach((p) => p.dispose()));

    it('reports a model file that throws, with its file and line, exit 2', async () => {
      const project = tempProject({
        files: {
          'packages/shop/package.json': domainPackageJson('@t/shop', 'shop'),
          'packages/shop/src/index.ts': `export { ok } from './models/ok.js';\nexport { bad } from './models/bad.js';\n`,
          'packages/shop/src/models/ok.ts': model('ok', '() => sql`select 1 as id`'),
          'packages/shop/src/models/bad.ts': `const rates = undefined as unknown as Record<string, number>;\nexport const bad = rates.eur;\n`,
        },
      });
      projects.push(project);
      const result = await warehouse(['compile', '--project-dir', project.dir]);
      expect(result.code).toBe(2);
      expect(logMessages(result.stdout)).toEqual([
        expect.stringMatching(/^package @t\/shop failed to load \(packages\/shop\/src\/models\/bad\.ts:2\): Cannot read properties of undefined \(reading 'eur'\)$/),
      ]);
    });

    it('reports every graph problem at once: a missing ref and a cycle', async () => {
      const project = tempProject({
        files: {
          'packages/shop/package.json': domainPackageJson('@t/shop', 'shop'),
          'packages/shop/src/index.ts': `export * from './models.js';\n`,
          'packages/shop/src/models.ts': [
            model('first', "({ ref }) => sql`select id from ${ref('second')}`"),
            model('second', "({ ref }) => sql`select id from ${ref('first')}, ${ref('thrid')}`").replace(/^import.*\n/, ''),
          ].join('\n'),
        },
      });
      projects.push(project);
      const result = await warehouse(['compile', '--project-dir', project.dir, '--json']);
      expect(result.code).toBe(2);
      const [message] = logMessages(result.stderr);
      expect(message).toMatch(/^the project has 2 problem\(s\):\n {2}- model second \(.*models\.ts:\d+\) refs thrid, which no package declares\n {2}- models form a cycle: first -> second -> first$/);
      expect(result.stdout).toBe('');
    });
  });
});
