import { Random } from './random.js';
import { demandFactor } from './demo-calendar.js';
import type { DemoWorld, Offer } from './demo-world.js';
import { RETURN_REASONS } from './vocabulary.js';

/**
 * The orders of one day, drawn from the seed and the day alone (no state), so the generator
 * can draw the same day again to deliver what arrives late: lines held back, status changes,
 * returns.
 */

export interface DemoReturn {
  day: number;
  seconds: number;
  quantity: number;
  refund: number;
  reason: string;
}

export interface DemoOrderLine {
  id: number;
  productId: number;
  quantity: number;
  unitPrice: number;
  discount: number;
  offerId: number | null;
  /** The day the line reaches the warehouse: the order's day, or up to 3 days later. */
  arrivalDay: number;
  /** Delivered twice by mistake. */
  duplicated: boolean;
  returned: DemoReturn | null;
}

export interface DemoOrder {
  id: number;
  day: number;
  seconds: number;
  customerId: number | null;
  storeId: number | null;
  /** The location stock leaves from: the store, or a warehouse for online orders. */
  fulfilledFrom: number;
  salesChannel: 'store' | 'web' | 'app';
  mediaChannelId: number | null;
  /** Status changes after the order was placed, by day. */
  statusChanges: Array<{ day: number; seconds: number; status: 'shipped' | 'delivered' | 'cancelled' }>;
  cancelled: boolean;
  duplicated: boolean;
  lines: DemoOrderLine[];
}

/** Media channel ids (1-based, as in MEDIA_CHANNELS) orders are attributed to. */
const ONLINE_ATTRIBUTION: ReadonlyArray<readonly [number | null, number]> = [
  [1, 22], [2, 4], [3, 12], [4, 6], [5, 3], [6, 5], [7, 14], [11, 4], [12, 2], [null, 28],
];
const STORES_CHANNEL = 10;

const round2 = (n: number) => Math.round(n * 100) / 100;

export function ordersOfDay(world: DemoWorld, day: number): DemoOrder[] {
  const random = Random.for(world.seed, 'orders', day);
  const count = random.poisson(world.sizes.ordersPerDay * demandFactor(day));
  const stores = world.stores();
  const warehouses = world.warehouses();
  const storeWeights = stores.map((s) => [s, s.city.weight] as const);
  const customers = world.customersBy(day - 1);
  const orders: DemoOrder[] = [];
  for (let i = 0; i < count; i++) {
    const id = (day + 1) * 1_000_000 + i;
    const salesChannel = random.weighted([['store', 45], ['web', 40], ['app', 15]] as const);
    const store = salesChannel === 'store' ? random.weighted(storeWeights) : null;
    const warehouse = warehouses[random.int(0, warehouses.length - 1)]!;
    let customerId: number | null = null;
    if (!random.chance(salesChannel === 'store' ? 0.3 : 0.08)) {
      const candidate = 1 + random.skewed(customers, 1.6);
      const customer = world.customer(candidate);
      if (customer.signupDay <= day && !customer.deletedBy(day)) customerId = candidate;
    }
    const mediaChannelId = salesChannel === 'store' ? (random.chance(0.6) ? STORES_CHANNEL : null) : random.weighted(ONLINE_ATTRIBUTION);
    const seconds = Math.min(86_399, Math.max(0, Math.round((10 + 11 * random.next() ** 0.8) * 3600)));
    const cancelled = salesChannel !== 'store' && random.chance(0.03);
    const statusChanges: DemoOrder['statusChanges'] = cancelled
      ? [{ day: day + 1, seconds: 9 * 3600, status: 'cancelled' }]
      : salesChannel === 'store'
        ? []
        : [
            { day: day + 1, seconds: 15 * 3600, status: 'shipped' },
            { day: day + 3, seconds: 11 * 3600, status: 'delivered' },
          ];
    const assortment = store ? world.assortments.get(store.id)! : undefined;
    const lines: DemoOrderLine[] = [];
    const lineCount = 1 + random.poisson(1.5);
    for (let n = 0; n < lineCount; n++) {
      const productId =
        assortment && assortment.length > 0 ? assortment[random.skewed(assortment.length)]! : 1 + random.skewed(world.products.length);
      const product = world.products[productId - 1]!;
      const version = world.productOn(productId, day);
      const quantity = 1 + random.poisson(0.3);
      const gross = round2(quantity * version.listPrice);
      const applicable = world.offersFor(product, day);
      const offer: Offer | undefined = applicable.length > 0 && random.chance(0.35) ? random.pick(applicable) : undefined;
      const discount = offer
        ? offer.discountType === 'percent'
          ? round2((gross * offer.discountValue) / 100)
          : Math.min(gross, round2(quantity * offer.discountValue))
        : 0;
      const late = random.chance(0.02);
      const returns = !cancelled && random.chance(0.06);
      const returnedQuantity = returns ? random.int(1, quantity) : 0;
      lines.push({
        id: id * 100 + n + 1,
        productId,
        quantity,
        unitPrice: version.listPrice,
        discount,
        offerId: offer?.id ?? null,
        arrivalDay: late ? day + random.int(1, 3) : day,
        duplicated: random.chance(0.005),
        returned: returns
          ? {
              day: day + random.int(3, 30),
              seconds: random.int(9 * 3600, 19 * 3600),
              quantity: returnedQuantity,
              refund: round2(((gross - discount) * returnedQuantity) / quantity),
              reason: random.pick(RETURN_REASONS),
            }
          : null,
      });
    }
    orders.push({
      id,
      day,
      seconds,
      customerId,
      storeId: store?.id ?? null,
      fulfilledFrom: store?.id ?? warehouse.id,
      salesChannel,
      mediaChannelId,
      statusChanges,
      cancelled,
      duplicated: random.chance(0.003),
      lines,
    });
  }
  return orders;
}

/** How long after its day an order can still deliver something (late lines, status, returns). */
export const ORDER_TAIL_DAYS = 30;
