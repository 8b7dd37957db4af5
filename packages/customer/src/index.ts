/**
 * @warehouse/customer: consumers (SCD2), their interactions and their loyalty programme.
 * wh_dim_consumer is public: sales keys order lines on it.
 */
import { whDimConsumer } from './models/wh_dim_consumer.js';
import { whFactInteractions } from './models/wh_fact_interactions.js';
import { whFactLoyalty } from './models/wh_fact_loyalty.js';

export { whDimConsumer, whFactInteractions, whFactLoyalty };

/** Every model of the domain, for the project graph. */
export const models = [whDimConsumer, whFactInteractions, whFactLoyalty];
