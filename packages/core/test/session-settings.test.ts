import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createAdapter } from '../src/index.js';
import { startupOptions } from '../src/adapter/startup-options.js';
import { pgServerAvailable, testServerUrl } from '../src/testing/index.js';

describe('startupOptions', () => {
  it('writes each setting as -c, escaping spaces and backslashes', () => {
    expect(startupOptions({ jit: 'off', work_mem: '64MB', 'app.note': 'a b\\c', statement_timeout: 0, enable_seqscan: false })).toBe(
      '-c jit=off -c work_mem=64MB -c app.note=a\\ b\\\\c -c statement_timeout=0 -c enable_seqscan=false',
    );
  });
});

describe.runIf(await pgServerAvailable())('session settings on the real server', () => {
  it('every pooled connection starts with the target settings', async () => {
    const adapter = await createAdapter({ type: 'pg', url: testServerUrl, maxConnections: 2, sessionSettings: { jit: 'off', work_mem: '7MB' } });
    try {
      const shown = await Promise.all(
        [1, 2].map(() =>
          adapter.withConnection(async (db) => {
            const { rows } = await sql<{ jit: string; work_mem: string }>`select current_setting('jit') as jit, current_setting('work_mem') as work_mem from pg_sleep(0.05)`.execute(db);
            return rows[0];
          }),
        ),
      );
      expect(shown).toEqual([
        { jit: 'off', work_mem: '7MB' },
        { jit: 'off', work_mem: '7MB' },
      ]);
    } finally {
      await adapter.close();
    }
  });
});
