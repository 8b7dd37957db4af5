/**
 * @warehouse/customer: consumers (SCD2), their interactions and their loyalty programme.
 * wh_dim_consumer is public: sales keys order lines on it.
 */
import { customerKpis } from './kpis/customer-kpis.js';
import { whDimConsumer } from './models/wh_dim_consumer.js';
import { whFactInteractions } from './models/wh_fact_interactions.js';
import { whFactLoyalty } from './models/wh_fact_loyalty.js';

export { whDimConsumer, whFactInteractions, whFactLoyalty };
export { costPerInteraction, engagedConsumers, loyaltyRedemptionRate } from './kpis/customer-kpis.js';

/** Every model of the domain, for the project graph. */
export const models = [whDimConsumer, whFactInteractions, whFactLoyalty];

/** Every KPI of the domain. */
export const kpis = customerKpis;
