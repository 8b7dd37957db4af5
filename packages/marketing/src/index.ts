/**
 * @warehouse/marketing: media channels, offers and audience segments. All three dimensions are
 * public: customer and sales facts key on them.
 */
import { marketingKpis } from './kpis/marketing-kpis.js';
import { stgMarketingCustomerValue } from './models/stg_marketing_customer_value.js';
import { stgMarketingOfferLines } from './models/stg_marketing_offer_lines.js';
import { whDimAudienceSegments } from './models/wh_dim_audience_segments.js';
import { whDimMediaChannels } from './models/wh_dim_media_channels.js';
import { whDimOffers } from './models/wh_dim_offers.js';

export { stgMarketingCustomerValue, whDimAudienceSegments, whDimMediaChannels, whDimOffers };
export { costPerClick, mediaSpend } from './kpis/marketing-kpis.js';

/** Every model of the domain, for the project graph. */
export const models = [whDimMediaChannels, stgMarketingOfferLines, whDimOffers, stgMarketingCustomerValue, whDimAudienceSegments];

/** Every KPI of the domain. */
export const kpis = marketingKpis;
