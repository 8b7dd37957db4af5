import { sql, type RawBuilder } from '@warehouse/core';

/**
 * The amounts of an order line, written once so that every domain that reports revenue
 * (sales' fact, inventory's product metrics, marketing's offer metrics) gets the same
 * numbers. Each takes the alias the line is read under.
 */

const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

/** Quantity times list price, before discount. */
export const grossAmount = (line: string): RawBuilder<string> => sql<string>`round(${col(line, 'quantity')} * ${col(line, 'unit_price')}, 2)`;

/** The line's discount, never more than its gross amount. */
export const discountAmount = (line: string): RawBuilder<string> =>
  sql<string>`least(${col(line, 'discount')}, round(${col(line, 'quantity')} * ${col(line, 'unit_price')}, 2))`;

/** What the customer paid for the line: gross minus discount. */
export const netAmount = (line: string): RawBuilder<string> =>
  sql<string>`(${grossAmount(line)} - ${discountAmount(line)})`;

/** An order counts as revenue unless it was cancelled. */
export const isRevenueOrder = (order: string): RawBuilder<boolean> => sql<boolean>`${col(order, 'status')} <> 'cancelled'`;

/** Statuses an order can have; anything else in a delivery is a data error. */
export const ORDER_STATUSES = ['placed', 'shipped', 'delivered', 'cancelled'] as const;
