import { createLandingTables, ErrorCode, sql, summarizeLandingIndexes, WarehouseError, type Adapter } from '@warehouse/core';
import { customers } from '../crm/customers.js';
import { interactions } from '../crm/interactions.js';
import { loyaltyAccounts, loyaltyEvents } from '../crm/loyalty.js';
import { locations } from '../erp/locations.js';
import { products } from '../erp/products.js';
import { stockMovements, stockSnapshots } from '../erp/stock.js';
import { campaignSpend, campaigns, mediaChannels } from '../marketing/channels-and-campaigns.js';
import { audienceSegments, offers, segmentMemberships } from '../marketing/offers-and-segments.js';
import { orderLines } from '../sales/order-lines.js';
import { orders } from '../sales/orders.js';
import { returns } from '../sales/returns.js';
import { dateOf, dayIndex, demandFactor, EPOCH, loadedAtOf, timestampOf } from './demo-calendar.js';
import { deliveredDays, loadLoyalty, loadStock, pairKey, recordDeliveries, type LoyaltyState } from './demo-state.js';
import { ORDER_TAIL_DAYS, ordersOfDay, type DemoOrder } from './demo-orders.js';
import { DemoWorld, type Campaign, type Customer, type CustomerVersion, type Location, type Product, type ProductVersion } from './demo-world.js';
import { DeliveryFiles } from './delivery-files.js';
import { deliveryFilesSink, LandingWriter, landingTablesSink } from './landing-writer.js';
import { Random } from './random.js';
import { MEDIA_CHANNELS, SEGMENTS } from './vocabulary.js';

export interface SeedDemoOptions {
  /** 1 gives about a million order lines a year; everything transactional grows linearly. */
  scale: number;
  seed: number;
  /** First day to deliver, YYYY-MM-DD (not before the epoch, 2025-01-01). */
  from: string;
  /** Last day to deliver, inclusive. */
  to: string;
  /**
   * Write the period's deliveries as CSV files in this folder (`<system>/<table>.csv`, new or
   * empty) instead of landing them: `warehouse load --delivery <folder>` lands them. The period
   * counts as delivered; load its files before delivering the next one, whose opening stock and
   * loyalty balances are read from the landing tables.
   */
  files?: string;
  onProgress?: (message: string) => void;
}

export interface SeedDemoSummary {
  from: string;
  to: string;
  days: number;
  /** True when this call created the landing tables' initial state (master data, opening stock). */
  initial: boolean;
  rows: Record<string, number>;
  /** With `files`: the files written. */
  files?: string[];
}

/** Every landed table the generator writes. */
export const DEMO_SOURCES = [
  orders, orderLines, returns, customers, interactions, loyaltyAccounts, loyaltyEvents, products, locations,
  stockMovements, stockSnapshots, mediaChannels, campaigns, campaignSpend, offers, audienceSegments, segmentMemberships,
];

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Delivers the demo operational systems' data for the days [from, to] into the landing
 * tables, as the nightly loads would: the first call lands the systems' state as of `from`
 * (master data, opening stock), every day lands its new and changed rows, with the quirks of
 * real feeds (lines arriving up to three days late, changed customers, status updates,
 * returns weeks later, the odd duplicate delivery). The same seed and calls give the same rows.
 */
export async function seedDemo(adapter: Adapter, options: SeedDemoOptions): Promise<SeedDemoSummary> {
  const { scale, seed } = options;
  if (!(scale > 0 && scale <= 1000)) throw usage(`--scale must be a number above 0 (at most 1000), got ${scale}`);
  if (!Number.isInteger(seed)) throw usage(`--seed must be an integer, got ${seed}`);
  let fromDay: number;
  let toDay: number;
  try {
    fromDay = dayIndex(options.from);
    toDay = dayIndex(options.to);
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (fromDay < 0) throw usage(`--from ${options.from} is before the demo world's first day, ${EPOCH}`);
  if (toDay < fromDay) throw usage(`--to ${options.to} is before --from ${options.from}`);

  await createLandingTables(adapter, DEMO_SOURCES);
  const history = await deliveredDays(adapter);
  const other = history.find((h) => h.seed !== seed || h.scale !== scale);
  if (other) {
    throw usage(`the landing tables hold demo data of seed ${other.seed} at scale ${other.scale}; deliver with the same --seed and --scale, or start from an empty database`);
  }
  const overlap = history.filter((h) => h.day >= options.from && h.day <= options.to);
  if (overlap.length > 0) {
    const last = history[history.length - 1]!.day;
    throw usage(`${overlap.length} day(s) from ${overlap[0]!.day} were already delivered (the last delivered day is ${last}); deliver a later period, e.g. --from ${dateOf(dayIndex(last) + 1)}`);
  }
  const initial = history.length === 0;
  if (!initial && dayIndex(history[history.length - 1]!.day) < fromDay - 1) {
    options.onProgress?.(`note: days after ${history[history.length - 1]!.day} up to ${options.from} are skipped; rows due on them are lost, as after an outage`);
  }

  const world = new DemoWorld(seed, scale);
  const deliveryFiles = options.files === undefined ? undefined : new DeliveryFiles(options.files);
  const writer = new LandingWriter(deliveryFiles ? deliveryFilesSink(deliveryFiles) : landingTablesSink(adapter));
  const delivery = new Delivery(world, writer, fromDay, toDay);
  if (initial) {
    options.onProgress?.(`landing the systems' state as of ${dateOf(fromDay - 1)}`);
    delivery.initialState();
  } else {
    delivery.stock = await loadStock(adapter);
    delivery.loyalty = await loadLoyalty(adapter, Date.parse(`${EPOCH}T00:00:00Z`));
  }
  delivery.indexCustomerEvents();
  for (let day = fromDay - ORDER_TAIL_DAYS; day <= toDay; day++) {
    if (day < 0) continue;
    delivery.day(day);
    await writer.settle();
    if (day >= fromDay && (day - fromDay) % 30 === 29) options.onProgress?.(`delivered up to ${dateOf(day)}`);
  }
  await writer.flush();
  if (!deliveryFiles) {
    await summarizeLandingIndexes(adapter, DEMO_SOURCES);
    // Fresh statistics: without them the planner guesses 200 rows for every deduplicated feed
    // and picks nested loops over millions of rows.
    await analyzeLandingTables(adapter);
  }
  const days: string[] = [];
  for (let day = fromDay; day <= toDay; day++) days.push(dateOf(day));
  await recordDeliveries(adapter, days, seed, scale);
  const rows = Object.fromEntries([...writer.rowCounts].sort());
  return { from: options.from, to: options.to, days: days.length, initial, rows, ...(deliveryFiles ? { files: deliveryFiles.files() } : {}) };
}

async function analyzeLandingTables(adapter: Adapter): Promise<void> {
  await adapter.withConnection(async (db) => {
    for (const source of DEMO_SOURCES) await sql`analyze ${sql.id(source.schema, source.name)}`.execute(db);
  });
}

function usage(message: string): WarehouseError {
  return new WarehouseError(ErrorCode.configInvalid, `seed-demo: ${message}`);
}

type CustomerEvent =
  | { kind: 'version'; customer: Customer; version: CustomerVersion }
  | { kind: 'membership'; customer: Customer; segmentId: number; fromDay: number; toDay: number | null }
  | { kind: 'enrolment'; customer: Customer };

/** One call's deliveries: keeps the per-call state (stock, loyalty) and writes rows. */
class Delivery {
  stock = new Map<number, number>();
  loyalty = new Map<number, LoyaltyState>();
  private readonly customerEvents = new Map<number, CustomerEvent[]>();
  private readonly pairs: Array<{ productId: number; location: Location; target: number; reorder: number }> = [];

  constructor(
    private readonly world: DemoWorld,
    private readonly writer: LandingWriter,
    private readonly fromDay: number,
    private readonly toDay: number,
  ) {
    this.pairs = stockPairs(world);
  }

  private inRange(day: number): boolean {
    return day >= this.fromDay && day <= this.toDay;
  }

  /** Master data and opening stock as of the day before the first delivered day. */
  initialState(): void {
    const asOf = this.fromDay - 1;
    const loadedAt = loadedAtOf(asOf);
    const w = this.writer;
    MEDIA_CHANNELS.forEach((c, i) => w.add(mediaChannels, [i + 1, c.name, c.type, c.category, true, loadedAt]));
    SEGMENTS.forEach((s, i) => w.add(audienceSegments, [i + 1, s.name, s.definition, timestampOf(-400 + i * 17, 10 * 3600), loadedAt]));
    for (const l of this.world.locations) {
      w.add(locations, [l.id, l.name, l.type, l.city.city, l.city.region, l.city.country, l.city.latitude, l.city.longitude, l.openedAt, null, loadedAt]);
    }
    for (const p of this.world.products) this.product(p, this.world.productOn(p.id, asOf), loadedAt);
    for (const c of this.world.campaigns) if (c.startDay - 7 <= asOf) this.campaign(c, loadedAt);
    for (let id = 1; id <= this.world.customersBy(asOf); id++) {
      const customer = this.world.customer(id);
      if (customer.signupDay > asOf) continue;
      const version = customer.versionOn(asOf);
      if (version.deleted) continue;
      this.customerVersion(customer, version, loadedAt);
      for (const m of customer.memberships) {
        if (m.fromDay > asOf) continue;
        w.add(segmentMemberships, [m.segmentId, id, dateOf(m.fromDay), m.toDay !== null && m.toDay <= asOf ? dateOf(m.toDay) : null, loadedAt]);
      }
      if (customer.enrolledDay !== null && customer.enrolledDay <= asOf) {
        w.add(loyaltyAccounts, [id, id, timestampOf(customer.enrolledDay, 13 * 3600), loadedAt]);
      }
    }
    for (const pair of this.pairs) {
      this.stock.set(pairKey(pair.productId, pair.location.id), pair.target);
      w.add(stockSnapshots, [dateOf(this.fromDay), pair.productId, pair.location.id, pair.target, loadedAt]);
    }
  }

  /** Customer changes of the delivered period, by day: signups, new versions, segments, enrolments. */
  indexCustomerEvents(): void {
    const add = (day: number, event: CustomerEvent) => {
      if (!this.inRange(day)) return;
      const list = this.customerEvents.get(day);
      if (list) list.push(event);
      else this.customerEvents.set(day, [event]);
    };
    for (let id = 1; id <= this.world.customersBy(this.toDay); id++) {
      const customer = this.world.customer(id);
      for (const version of customer.versions) add(version.day, { kind: 'version', customer, version });
      for (const m of customer.memberships) {
        add(m.fromDay, { kind: 'membership', customer, segmentId: m.segmentId, fromDay: m.fromDay, toDay: null });
        if (m.toDay !== null) add(m.toDay, { kind: 'membership', customer, segmentId: m.segmentId, fromDay: m.fromDay, toDay: m.toDay });
      }
      if (customer.enrolledDay !== null) add(customer.enrolledDay, { kind: 'enrolment', customer });
    }
  }

  /** Everything that happens on `day` and lands in the delivered period. */
  day(day: number): void {
    const orderList = ordersOfDay(this.world, day);
    this.orderDeliveries(orderList, day);
    if (!this.inRange(day)) return;
    const loadedAt = loadedAtOf(day);
    for (const p of this.world.products) {
      for (const v of p.versions) if (v.day === day) this.product(p, v, loadedAt);
    }
    for (const c of this.world.campaigns) if (c.startDay - 7 === day) this.campaign(c, loadedAt);
    for (const event of this.customerEvents.get(day) ?? []) this.customerEvent(event, loadedAt);
    this.spend(day, loadedAt);
    this.interactions(day, loadedAt);
    this.loyaltyDay(day, orderList, loadedAt);
    this.restock(day, loadedAt);
  }

  private product(p: Product, v: ProductVersion, loadedAt: string): void {
    const updatedAt = v.day < 0 ? `${p.launchedAt}T08:00:00.000Z` : timestampOf(v.day, 8 * 3600);
    this.writer.add(products, [p.id, p.sku, p.name, p.category, p.subcategory, p.brand, v.unitCost, v.listPrice, v.status, p.launchedAt, updatedAt, loadedAt]);
  }

  private campaign(c: Campaign, loadedAt: string): void {
    this.writer.add(campaigns, [c.id, c.name, c.channelId, c.objective, dateOf(c.startDay), dateOf(c.endDay), c.budget, loadedAt]);
    for (const o of this.world.offers) {
      if (o.campaignId !== c.id) continue;
      this.writer.add(offers, [o.id, o.name, o.campaignId, o.discountType, o.discountValue, dateOf(o.fromDay), dateOf(o.toDay), o.scope, o.scopeCategory, o.scopeProductId, loadedAt]);
    }
  }

  private customerVersion(customer: Customer, version: CustomerVersion, loadedAt: string): void {
    this.writer.add(customers, [
      customer.id, customer.firstName, customer.lastName, version.email, customer.birthDate, customer.gender, version.city.city,
      version.city.country, version.lifestyle, customer.signupAt(), version.deleted, customer.versionAt(version), loadedAt,
    ]);
  }

  private customerEvent(event: CustomerEvent, loadedAt: string): void {
    const { customer } = event;
    if (event.kind === 'version') this.customerVersion(customer, event.version, loadedAt);
    else if (event.kind === 'membership') {
      this.writer.add(segmentMemberships, [event.segmentId, customer.id, dateOf(event.fromDay), event.toDay === null ? null : dateOf(event.toDay), loadedAt]);
    } else {
      this.writer.add(loyaltyAccounts, [customer.id, customer.id, timestampOf(customer.enrolledDay!, 13 * 3600), loadedAt]);
    }
  }

  /** Headers, lines, status changes, returns and stock movements of one day's orders that land in the period. */
  private orderDeliveries(orderList: DemoOrder[], day: number): void {
    const w = this.writer;
    for (const o of orderList) {
      const orderedAt = timestampOf(o.day, o.seconds);
      const header = (status: string, updatedAt: string, arrival: number) => {
        const row = [o.id, o.customerId, o.storeId, o.salesChannel, o.mediaChannelId, orderedAt, status, 'EUR', updatedAt, loadedAtOf(arrival)] as const;
        w.add(orders, row);
        if (o.duplicated && status === 'placed') w.add(orders, row);
      };
      if (this.inRange(day)) header(o.salesChannel === 'store' ? 'delivered' : 'placed', orderedAt, day);
      for (const change of o.statusChanges) {
        if (this.inRange(change.day)) header(change.status, timestampOf(change.day, change.seconds), change.day);
      }
      // online orders leave the warehouse when they ship, the day after; store sales at once
      const shipDay = o.salesChannel === 'store' ? day : day + 1;
      for (const line of o.lines) {
        if (this.inRange(line.arrivalDay)) {
          const row = [line.id, o.id, line.productId, line.quantity, line.unitPrice, line.discount, line.offerId, orderedAt, loadedAtOf(line.arrivalDay)] as const;
          w.add(orderLines, row);
          if (line.duplicated) w.add(orderLines, row);
        }
        if (!o.cancelled && this.inRange(shipDay)) {
          const at = o.salesChannel === 'store' ? orderedAt : timestampOf(shipDay, 15 * 3600);
          this.movement(line.id * 10 + 1, line.productId, o.fulfilledFrom, 'sale', -line.quantity, at, `order line ${line.id}`, loadedAtOf(shipDay));
        }
        const r = line.returned;
        if (r && this.inRange(r.day)) {
          const at = timestampOf(r.day, r.seconds);
          w.add(returns, [line.id, line.id, at, r.quantity, r.refund, r.reason, loadedAtOf(r.day)]);
          this.movement(line.id * 10 + 2, line.productId, o.fulfilledFrom, 'return', r.quantity, at, `return ${line.id}`, loadedAtOf(r.day));
        }
      }
    }
  }

  private movement(id: number, productId: number, locationId: number, type: string, quantity: number, at: string, reference: string, loadedAt: string): void {
    this.writer.add(stockMovements, [id, productId, locationId, type, quantity, at, reference, loadedAt]);
    const key = pairKey(productId, locationId);
    this.stock.set(key, (this.stock.get(key) ?? 0) + quantity);
  }

  /** Stores are refilled from their warehouse, warehouses by suppliers, when stock runs low; a few counts are corrected. */
  private restock(day: number, loadedAt: string): void {
    const random = Random.for(this.world.seed, 'restock', day);
    const warehouses = this.world.warehouses();
    let seq = 0;
    const nextId = () => (day + 1) * 100_000_000 + 90_000_000 + seq++;
    for (const pair of this.pairs) {
      const onHand = this.stock.get(pairKey(pair.productId, pair.location.id)) ?? 0;
      if (random.chance(0.002)) {
        const delta = random.chance(0.7) ? -random.int(1, 3) : random.int(1, 2);
        this.movement(nextId(), pair.productId, pair.location.id, 'adjustment', delta, timestampOf(day, 20 * 3600), 'stock count', loadedAt);
      }
      if (onHand > pair.reorder) continue;
      const quantity = pair.target - onHand;
      if (pair.location.type === 'warehouse') {
        this.movement(nextId(), pair.productId, pair.location.id, 'receipt', quantity, timestampOf(day, 6 * 3600), `purchase order ${day}-${pair.productId}`, loadedAt);
      } else {
        const from = warehouses[pair.location.id % warehouses.length]!;
        const at = timestampOf(day, 21 * 3600);
        const reference = `transfer ${day}-${pair.productId}-${pair.location.id}`;
        this.movement(nextId(), pair.productId, from.id, 'transfer_out', -quantity, at, reference, loadedAt);
        this.movement(nextId(), pair.productId, pair.location.id, 'transfer_in', quantity, at, reference, loadedAt);
      }
    }
  }

  private spend(day: number, loadedAt: string): void {
    const random = Random.for(this.world.seed, 'spend', day);
    for (const c of this.world.campaignsOn(day)) {
      if (MEDIA_CHANNELS[c.channelId - 1]!.type !== 'paid') continue;
      const amount = round2((c.budget / (c.endDay - c.startDay + 1)) * (0.7 + 0.6 * random.next()));
      const impressions = Math.round(amount * (80 + 80 * random.next()));
      const clicks = Math.round(impressions * (0.008 + 0.025 * random.next()));
      this.writer.add(campaignSpend, [dateOf(day), c.channelId, c.id, amount, impressions, clicks, loadedAt]);
    }
  }

  private interactions(day: number, loadedAt: string): void {
    const random = Random.for(this.world.seed, 'interactions', day);
    const count = random.poisson(this.world.sizes.interactionsPerDay * demandFactor(day));
    const customerCount = this.world.customersBy(day - 1);
    const active = this.world.campaignsOn(day);
    const channels: ReadonlyArray<readonly [number, number]> = [[7, 35], [3, 12], [4, 8], [1, 10], [5, 6], [10, 12], [8, 9], [9, 6], [11, 2]];
    for (let i = 0; i < count; i++) {
      const customer = this.world.customer(1 + random.skewed(customerCount, 1.4));
      if (customer.signupDay > day || customer.deletedBy(day)) continue;
      const channelId = random.weighted(channels);
      const category = MEDIA_CHANNELS[channelId - 1]!.category;
      const type =
        category === 'email'
          ? random.weighted([['email_open', 7], ['click', 3]] as const)
          : category === 'store' || category === 'web' || category === 'app'
            ? random.weighted([['visit', 20], ['call', 1], ['complaint', 0.3]] as const)
            : random.weighted([['impression', 8], ['click', 2]] as const);
      const campaign = active.filter((c) => c.channelId === channelId);
      const row = [
        (day + 1) * 10_000_000 + i, customer.id, channelId, campaign.length > 0 && random.chance(0.8) ? random.pick(campaign).id : null, type,
        timestampOf(day, random.int(6 * 3600, 23 * 3600)), loadedAt,
      ] as const;
      this.writer.add(interactions, row);
      if (random.chance(0.003)) this.writer.add(interactions, row);
    }
  }

  /** Points earned and redeemed on members' orders; monthly expiry; quarterly tier reviews. */
  private loyaltyDay(day: number, orderList: DemoOrder[], loadedAt: string): void {
    const random = Random.for(this.world.seed, 'loyalty', day);
    let seq = 0;
    const event = (accountId: number, type: string, points: number, tier: string | null, orderId: number | null, at: string) => {
      this.writer.add(loyaltyEvents, [(day + 1) * 10_000_000 + seq++, accountId, type, points, tier, orderId, at, loadedAt]);
    };
    const stateOf = (id: number) => {
      let state = this.loyalty.get(id);
      if (!state) {
        state = { balance: 0, lastEarnDay: null, tier: 'base' };
        this.loyalty.set(id, state);
      }
      return state;
    };
    // in the order the purchases happened, so no redemption spends points earned later that day
    for (const o of [...orderList].sort((a, b) => a.seconds - b.seconds || a.id - b.id)) {
      if (o.cancelled || o.customerId === null) continue;
      const customer = this.world.customer(o.customerId);
      if (customer.enrolledDay === null || customer.enrolledDay > day) continue;
      const state = stateOf(o.customerId);
      const at = timestampOf(day, o.seconds);
      if (state.balance >= 200 && random.chance(0.08)) {
        const points = Math.min(state.balance, random.pick([100, 200, 300, 500]));
        state.balance -= points;
        event(o.customerId, 'redeem', points, null, o.id, at);
      }
      const net = o.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0);
      const points = Math.floor(net);
      if (points > 0) {
        state.balance += points;
        state.lastEarnDay = day;
        event(o.customerId, 'earn', points, null, o.id, at);
      }
    }
    const date = dateOf(day);
    if (date.endsWith('-01')) {
      const at = timestampOf(day, 3 * 3600);
      const quarterStart = /-(01|04|07|10)-01$/.test(date);
      for (const [accountId, state] of [...this.loyalty].sort((a, b) => a[0] - b[0])) {
        if (state.balance > 0 && state.lastEarnDay !== null && state.lastEarnDay < day - 180) {
          event(accountId, 'expire', state.balance, null, null, at);
          state.balance = 0;
        }
        if (quarterStart) {
          const tier = state.balance >= 5000 ? 'platinum' : state.balance >= 2000 ? 'gold' : state.balance >= 500 ? 'silver' : 'base';
          if (tier !== state.tier) {
            event(accountId, 'tier_change', 0, tier, null, at);
            state.tier = tier;
          }
        }
      }
    }
  }
}

/**
 * Every product and location that holds stock, with a target level of two weeks of expected
 * demand and a reorder point of five days. Warehouses carry everything; stores their assortment.
 */
function stockPairs(world: DemoWorld): Array<{ productId: number; location: Location; target: number; reorder: number }> {
  const share = (index: number, n: number, skew: number) => ((index + 1) / n) ** (1 / skew) - (index / n) ** (1 / skew);
  const stores = world.stores();
  const warehouses = world.warehouses();
  const storeWeight = stores.reduce((sum, s) => sum + s.city.weight, 0);
  const unitsPerOrder = 2.5 * 1.3;
  const pairs: Array<{ productId: number; location: Location; target: number; reorder: number }> = [];
  const add = (productId: number, location: Location, daily: number) =>
    pairs.push({ productId, location, target: Math.max(4, Math.ceil(daily * 14)), reorder: Math.ceil(daily * 5) });
  for (const warehouse of warehouses) {
    for (const p of world.products) {
      add(p.id, warehouse, (world.sizes.ordersPerDay * 0.55 * unitsPerOrder * share(p.id - 1, world.products.length, 2)) / warehouses.length);
    }
  }
  for (const store of stores) {
    const assortment = world.assortments.get(store.id)!;
    const storeDaily = (world.sizes.ordersPerDay * 0.45 * unitsPerOrder * store.city.weight) / storeWeight;
    assortment.forEach((productId, rank) => add(productId, store, storeDaily * share(rank, assortment.length, 2)));
  }
  return pairs;
}
