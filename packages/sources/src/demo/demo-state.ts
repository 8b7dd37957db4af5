import { sql, type Adapter } from '@warehouse/core';

/**
 * What the demo's operational systems remember between deliveries, read back from what they
 * already landed: stock on hand per product and location, and each loyalty account's balance,
 * last earning and tier. Aggregated in Postgres; only one row per key comes back.
 */

export interface LoyaltyState {
  balance: number;
  lastEarnDay: number | null;
  tier: string;
}

const pairKey = (productId: number, locationId: number) => productId * 100_000 + locationId;
export { pairKey };

export async function loadStock(adapter: Adapter): Promise<Map<number, number>> {
  const rows = await adapter.withConnection(
    async (db) =>
      (
        await sql<{ product_id: string; location_id: string; on_hand: number }>`
          select product_id, location_id, sum(q)::int as on_hand from (
            select product_id, location_id, on_hand as q from raw_erp.stock_snapshots
            union all
            select product_id, location_id, quantity from (
              select distinct on (movement_id) product_id, location_id, quantity from raw_erp.stock_movements order by movement_id
            ) as m
          ) as s group by 1, 2`.execute(db)
      ).rows,
  );
  return new Map(rows.map((r) => [pairKey(Number(r.product_id), Number(r.location_id)), r.on_hand]));
}

export async function loadLoyalty(adapter: Adapter, epochMs: number): Promise<Map<number, LoyaltyState>> {
  const rows = await adapter.withConnection(
    async (db) =>
      (
        await sql<{ account_id: string; balance: number; last_earn_ms: string | null; tier: string | null }>`
          select account_id,
                 sum(case event_type when 'earn' then points when 'redeem' then -points when 'expire' then -points else 0 end)::int as balance,
                 (extract(epoch from max(occurred_at) filter (where event_type = 'earn')) * 1000)::bigint as last_earn_ms,
                 (array_agg(tier order by occurred_at desc, event_id desc) filter (where tier is not null))[1] as tier
          from (select distinct on (event_id) * from raw_crm.loyalty_events order by event_id) as e
          group by account_id`.execute(db)
      ).rows,
  );
  return new Map(
    rows.map((r) => [
      Number(r.account_id),
      {
        balance: r.balance,
        lastEarnDay: r.last_earn_ms === null ? null : Math.floor((Number(r.last_earn_ms) - epochMs) / 86_400_000),
        tier: r.tier ?? 'base',
      },
    ]),
  );
}

/** Bookkeeping of the days delivered so far, so a period is never delivered twice. */
export async function deliveredDays(adapter: Adapter): Promise<Array<{ day: string; seed: number; scale: number }>> {
  return adapter.withConnection(async (db) => {
    await sql`create schema if not exists warehouse_meta`.execute(db);
    await sql`create table if not exists warehouse_meta.demo_deliveries (
      delivered_day date primary key, seed integer not null, scale numeric not null, loaded_at timestamptz not null default now())`.execute(db);
    const { rows } = await sql<{ day: string; seed: number; scale: string }>`
      select delivered_day::text as day, seed, scale::text as scale from warehouse_meta.demo_deliveries order by delivered_day`.execute(db);
    return rows.map((r) => ({ day: r.day, seed: r.seed, scale: Number(r.scale) }));
  });
}

export async function recordDeliveries(adapter: Adapter, days: string[], seed: number, scale: number): Promise<void> {
  if (days.length === 0) return;
  await adapter.withConnection((db) =>
    sql`insert into warehouse_meta.demo_deliveries (delivered_day, seed, scale)
        select d::date, ${seed}, ${scale} from unnest(${days}::text[]) as d`.execute(db),
  );
}
