/** @warehouse/sales: the sales fact, one row per order line, and the sales KPIs. */
import { whFactSales } from './models/wh_fact_sales.js';

export { whFactSales };

/** Every model of the domain, for the project graph. */
export const models = [whFactSales];
