import { sql, type ModelContext, type RawBuilder } from '@warehouse/core';
import { orderLines } from '../sales/order-lines.js';
import { orders } from '../sales/orders.js';
import { returns } from '../sales/returns.js';
import { distinctDeliveries, latestVersion } from './latest-version.js';
import { discountAmount, grossAmount, isRevenueOrder, netAmount } from './sales-amounts.js';

type SourceOf = ModelContext['source'];

export interface RevenueLine {
  order_line_id: string;
  order_id: string;
  customer_id: string | null;
  product_id: string;
  offer_id: string | null;
  ordered_at: Date;
  quantity: number;
  gross_amount: string;
  discount_amount: string;
  net_amount: string;
  returned_quantity: string;
  refunded_amount: string;
  /** When the newest raw row behind the line (line, order or return) landed. */
  _loaded_at: Date;
}

/**
 * The order lines that count as revenue (latest version of each line, of an order that was
 * not cancelled) with their amounts and what was refunded on them. Every domain that reports
 * revenue reads it through this one query, so their numbers agree with wh_fact_sales.
 *
 * @example
 * sql`select product_id, sum(net_amount - refunded_amount) from ${revenueLines(source)} as l group by 1`
 */
export function revenueLines(source: SourceOf, options: RevenueLineOptions = {}): RawBuilder<RevenueLine> {
  const ordersWhere = options.orders ? { where: options.orders } : {};
  const ofOrders = options.orders ? sql<boolean>`order_id in (select order_id from ${source(orders)} where ${options.orders})` : undefined;
  const linesWhere = ofOrders ? { where: ofOrders } : {};
  // only the returns of those lines: summing every return just to join a few is most of the cost
  const returnsWhere = ofOrders ? sql<boolean>`order_line_id in (select order_line_id from ${source(orderLines)} where ${ofOrders})` : undefined;
  return sql<RevenueLine>`(
    select l.order_line_id, l.order_id, o.customer_id, l.product_id, l.offer_id, o.ordered_at, l.quantity,
           ${grossAmount('l')} as gross_amount, ${discountAmount('l')} as discount_amount,
           ${netAmount('l')} as net_amount,
           coalesce(r.returned_quantity, 0) as returned_quantity, coalesce(r.refunded_amount, 0) as refunded_amount,
           greatest(l._loaded_at, o._loaded_at, r._loaded_at) as _loaded_at
    from ${latestVersion(source(orderLines), ['order_line_id'], linesWhere)} as l
    join ${latestVersion(source(orders), ['order_id'], ordersWhere)} as o on o.order_id = l.order_id
    left join ${lineRefunds(source, returnsWhere)} as r on r.order_line_id = l.order_line_id
    where ${isRevenueOrder('o')}
  )`;
}

export interface RevenueLineOptions {
  /**
   * Keeps the lines to orders matching this condition on raw `orders` columns (unqualified),
   * e.g. `customer_id in (...)`: the dedupe then sorts only those orders' rows.
   */
  orders?: RawBuilder<boolean>;
}

/**
 * The orders something landed for since `since` (a landing time): a new version of the order,
 * of one of its lines, or a return of one of its lines. What an incremental model must look at
 * again, however late the change came.
 */
export function ordersChangedSince(source: SourceOf, since: RawBuilder<unknown>): RawBuilder<{ order_id: string }> {
  return sql`(
    select order_id from ${source(orders)} where _loaded_at > ${since}
    union
    select order_id from ${source(orderLines)} where _loaded_at > ${since}
    union
    select order_id from ${source(orderLines)} where order_line_id in (select order_line_id from ${source(returns)} where _loaded_at > ${since})
  )`;
}

/**
 * Per order line: units returned, money refunded (duplicate deliveries counted once) and when
 * the latest return landed. `where` (on raw `returns` columns) keeps it to some lines.
 */
export function lineRefunds(
  source: SourceOf,
  where?: RawBuilder<boolean>,
): RawBuilder<{ order_line_id: string; returned_quantity: string; refunded_amount: string; _loaded_at: Date }> {
  return sql`(
    select order_line_id, sum(quantity) as returned_quantity, sum(refund_amount) as refunded_amount, max(_loaded_at) as _loaded_at
    from ${distinctDeliveries(source(returns), ['return_id'], where)} as rr
    group by order_line_id
  )`;
}

/**
 * Per customer: orders and net revenue (paid minus refunded) to date. The customer domain's
 * lifetime value and marketing's segment member value both come from here.
 */
export function customerRevenue(
  source: SourceOf,
  options: RevenueLineOptions = {},
): RawBuilder<{ customer_id: string; orders: string; net_revenue: string; _loaded_at: Date }> {
  return sql`(
    select customer_id, count(distinct order_id) as orders, sum(net_amount - refunded_amount) as net_revenue, max(_loaded_at) as _loaded_at
    from ${revenueLines(source, options)} as rl
    where customer_id is not null
    group by customer_id
  )`;
}
