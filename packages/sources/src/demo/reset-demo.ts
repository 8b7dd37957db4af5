import { ErrorCode, sql, sqlText, WarehouseError, type Adapter } from '@warehouse/core';
import { DEMO_SOURCES } from './seed-demo.js';

/**
 * Empties the landing tables so the demo can deliver again from its first day. Refuses when
 * they hold rows the demo did not deliver (a real load), so pointing DATABASE_URL at a real
 * warehouse can never wipe its landed data.
 */
export async function resetDemoData(adapter: Adapter): Promise<void> {
  await adapter.withConnection(async (db) => {
    const existing: string[] = [];
    for (const source of DEMO_SOURCES) {
      const { rows } = await sql<{ found: boolean }>`select to_regclass(${`${source.schema}.${source.name}`}) is not null as found`.execute(db);
      if (rows[0]?.found) existing.push(sqlText(sql`${sql.id(source.schema, source.name)}`));
    }
    if (existing.length === 0) return;
    const { rows: bookkeeping } = await sql<{ found: boolean }>`select to_regclass('warehouse_meta.demo_deliveries') is not null as found`.execute(db);
    const demoDays = bookkeeping[0]?.found
      ? Number((await sql<{ n: string }>`select count(*) as n from warehouse_meta.demo_deliveries`.execute(db)).rows[0]!.n)
      : 0;
    if (demoDays === 0) {
      for (const table of existing) {
        const { rows } = await sql<{ any: boolean }>`select exists (select from ${sql.raw(table)}) as any`.execute(db);
        if (rows[0]?.any) {
          throw new WarehouseError(
            ErrorCode.configInvalid,
            `demo: ${table} holds rows the demo did not deliver; refusing to empty it. Use an empty database for the demo.`,
          );
        }
      }
      return;
    }
    await sql.raw(`truncate ${existing.join(', ')}`).execute(db);
    await sql`truncate warehouse_meta.demo_deliveries`.execute(db);
  });
}
