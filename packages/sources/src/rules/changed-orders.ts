import { sql, type ModelContext, type RawBuilder } from '@warehouse/core';
import { orderLines } from '../sales/order-lines.js';
import { orders } from '../sales/orders.js';
import { returns } from '../sales/returns.js';
import { distinctDeliveries } from './latest-version.js';

type SourceOf = ModelContext['source'];

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
