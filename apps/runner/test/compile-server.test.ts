import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { requestServer } from '../bin/compile-client.mjs';
import { domainPackageJson, logMessages, modelFile, tempProject, warehouse, withoutTime } from './support/cli.js';

/**
 * The compile server end to end, through the real CLI: `warehouse compile` answered by a
 * running server writes what a compile in its own process writes, sees every edit (also to a
 * package another one imports, which a process's module cache would keep as it was), reports
 * errors as the CLI does, and hands back to in-process compiles when stopped.
 */
function project() {
  return tempProject({
    files: {
      'packages/base/package.json': domainPackageJson('@t/base', 'base'),
      'packages/base/src/index.ts': `export { numbers } from './models/numbers.js';\nexport const LIMIT = 10;\n`,
      'packages/base/src/models/numbers.ts': modelFile('numbers', 'base', '() => sql`select 1 as id`'),
      // shop imports a value of base: its SQL changes when base's does
      'packages/shop/package.json': domainPackageJson('@t/shop', 'shop', ['@t/base']),
      'packages/shop/src/index.ts': `export { orders } from './models/orders.js';\n`,
      'packages/shop/src/models/orders.ts': modelFile('orders', 'shop', "({ ref }) => sql`select id from ${ref('numbers')} limit ${sql.lit(LIMIT)}`", "import { LIMIT } from '@t/base';"),
    },
  });
}

async function served(dir: string): Promise<number> {
  const status = await warehouse(['server', 'status', '--project-dir', dir, '--json']);
  expect(status.code, status.stderr).toBe(0);
  return (JSON.parse(status.stdout) as { served: number }).served;
}

describe('the compile server', () => {
  const projects: Array<{ dir: string; dispose: () => void }> = [];
  afterAll(async () => {
    for (const p of projects) {
      await warehouse(['server', 'stop', '--project-dir', p.dir]);
      p.dispose();
    }
  });

  it('answers compiles with what a compile in its own process writes, edits included', async () => {
    const p = project();
    projects.push(p);
    const ordersSql = () => readFileSync(join(p.dir, 'target/compiled/shop/orders.sql'), 'utf8');
    const inProcess = async () => {
      const result = await warehouse(['compile', '--project-dir', p.dir], { env: { WAREHOUSE_COMPILE_SERVER: 'off' } });
      expect(result.code, result.stderr).toBe(0);
      return withoutTime(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    };

    const started = await warehouse(['server', 'start', '--project-dir', p.dir, '--idle-minutes', '2', '--json']);
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ started: true });
    expect(await served(p.dir)).toBe(0);

    const first = await warehouse(['compile', '--project-dir', p.dir, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as { models: Array<{ name: string }> }).models.map((m) => m.name)).toEqual(['numbers', 'orders']);
    expect(await served(p.dir)).toBe(1);
    expect(ordersSql()).toContain('limit 10');

    // an edit to the imported package: the server's compile must see it in the importer too
    writeFileSync(join(p.dir, 'packages/base/src/index.ts'), `export { numbers } from './models/numbers.js';\nexport const LIMIT = 20;\n`);
    expect((await warehouse(['compile', '--project-dir', p.dir])).code).toBe(0);
    expect(await served(p.dir)).toBe(2);
    expect(ordersSql()).toContain('limit 20');
    const viaServer = withoutTime(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(await inProcess()).toBe(viaServer);

    // and again, the same package twice in one server's life
    writeFileSync(join(p.dir, 'packages/base/src/index.ts'), `export { numbers } from './models/numbers.js';\nexport const LIMIT = 30;\n`);
    expect((await warehouse(['compile', '--project-dir', p.dir])).code).toBe(0);
    expect(ordersSql()).toContain('limit 30');

    // errors come back as the CLI reports them, with the file and line
    const ordersFile = join(p.dir, 'packages/shop/src/models/orders.ts');
    const good = readFileSync(ordersFile, 'utf8');
    writeFileSync(ordersFile, good.replace("description: 'x',", "description: 'x' ("));
    const broken = await warehouse(['compile', '--project-dir', p.dir]);
    expect(broken.code).toBe(2);
    expect(broken.stdout + broken.stderr).toMatch(/packages\/shop\/src\/models\/orders\.ts:4:\d+/);
    expect(await served(p.dir)).toBe(4);
    const brokenInProcess = await warehouse(['compile', '--project-dir', p.dir], { env: { WAREHOUSE_COMPILE_SERVER: 'off' } });
    const message = (output: string) => output.replace(/"time":"[^"]+"/, '');
    expect(message(brokenInProcess.stdout + brokenInProcess.stderr)).toBe(message(broken.stdout + broken.stderr));
    writeFileSync(ordersFile, good);

    const stopped = await warehouse(['server', 'stop', '--project-dir', p.dir, '--json']);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ stopped: true });
    expect((await warehouse(['server', 'status', '--project-dir', p.dir])).code).toBe(1);
    // without a server, compiles run in their own process as before
    const after = await warehouse(['compile', '--project-dir', p.dir]);
    expect(after.code, after.stderr).toBe(0);
    expect(ordersSql()).toContain('limit 30');
  });

  it('is left behind by a compile when asked to (WAREHOUSE_COMPILE_SERVER=on), never by default outside a terminal', async () => {
    const p = project();
    projects.push(p);
    const running = async () => (await warehouse(['server', 'status', '--project-dir', p.dir])).code === 0;
    // a pipe, not a terminal: nothing is left running
    expect((await warehouse(['compile', '--project-dir', p.dir])).code).toBe(0);
    expect(await running()).toBe(false);

    const first = await warehouse(['compile', '--project-dir', p.dir], { env: { WAREHOUSE_COMPILE_SERVER: 'on' } });
    expect(first.code, first.stderr).toBe(0);
    expect(logMessages(first.stdout).filter((m) => m.startsWith('started a compile server'))).toHaveLength(1);
    // started in the background: it listens a moment later
    for (let waited = 0; !(await running()) && waited < 20_000; waited += 200) await sleep(200);
    expect(await running()).toBe(true);

    const next = await warehouse(['compile', '--project-dir', p.dir], { env: { WAREHOUSE_COMPILE_SERVER: 'on' } });
    expect(next.code, next.stderr).toBe(0);
    expect(await served(p.dir)).toBe(1);
    // served, it starts nothing more
    expect(logMessages(next.stdout).filter((m) => m.startsWith('started a compile server'))).toHaveLength(0);
  });

  it('answers selections and ls as a process of their own does, and declines other commands', async () => {
    const p = project();
    projects.push(p);
    const selection = ['compile', '--project-dir', p.dir, '-s', 'orders', '--json'];
    const inProcess = await warehouse(selection, { env: { WAREHOUSE_COMPILE_SERVER: 'off' } });
    expect(inProcess.code, inProcess.stderr).toBe(0);
    const manifest = () => withoutTime(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    const written = manifest();
    expect((await warehouse(['server', 'start', '--project-dir', p.dir, '--idle-minutes', '2'])).code).toBe(0);
    const selected = await warehouse(selection);
    expect(selected.code, selected.stderr).toBe(0);
    expect(await served(p.dir)).toBe(1);
    expect((JSON.parse(selected.stdout) as { models: Array<{ name: string }> }).models.map((m) => m.name)).toEqual(['orders']);
    expect(selected.stdout).toBe(inProcess.stdout);
    expect(manifest()).toBe(written);
    // an edit the selection reads, seen by the served compile
    writeFileSync(join(p.dir, 'packages/base/src/index.ts'), `export { numbers } from './models/numbers.js';\nexport const LIMIT = 40;\n`);
    expect((await warehouse(selection)).code).toBe(0);
    expect(readFileSync(join(p.dir, 'target/compiled/shop/orders.sql'), 'utf8')).toContain('limit 40');
    expect(await served(p.dir)).toBe(2);
    const list = ['ls', '--project-dir', p.dir, '--long', '--json'];
    const listed = await warehouse(list);
    expect(listed.code, listed.stderr).toBe(0);
    expect(await served(p.dir)).toBe(3);
    expect(listed.stdout).toBe((await warehouse(list, { env: { WAREHOUSE_COMPILE_SERVER: 'off' } })).stdout);
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((m) => m.name)).toEqual(['numbers', 'orders']);
    // a command that is not the server's, sent to it anyway, is declined: the CLI runs it itself
    const record = JSON.parse(readFileSync(join(p.dir, 'target/cache/compile-server.json'), 'utf8')) as { socket: string; runner: string };
    const declined = await requestServer(record.socket, { type: 'compile', rootDir: p.dir, runner: record.runner, args: ['build', '--project-dir', p.dir], cwd: p.dir, env: {}, tty: false });
    expect(declined).toMatchObject({ type: 'declined', reason: 'build is not a command the server answers' });
    expect(await served(p.dir)).toBe(3);
    // a second start finds the first
    const again = await warehouse(['server', 'start', '--project-dir', p.dir, '--idle-minutes', '2', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ started: false });
    // and a server started beside it (two compiles at a terminal at once) leaves at once
    const beside = await warehouse(['server', 'run', '--project-dir', p.dir, '--idle-minutes', '2']);
    expect(beside.code, beside.stderr).toBe(0);
    expect(logMessages(beside.stdout).join('\n')).toMatch(/a compile server already runs .* not starting another/);
    expect(await served(p.dir)).toBe(3);
  });
});
