/** @warehouse/sales: the sales fact, one row per order line, and the sales KPIs. */
import { salesKpis } from './kpis/sales-kpis.js';
import { whFactSales } from './models/wh_fact_sales.js';

export { whFactSales };
export {
  activeConsumers,
  averageBasket,
  grossMargin,
  offerRedemptionRate,
  retention,
  returnRate,
  revenue,
} from './kpis/sales-kpis.js';

/** Every model of the domain, for the project graph. */
export const models = [whFactSales];

/** Every KPI of the domain. */
export const kpis = salesKpis;
