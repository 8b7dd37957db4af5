/**
 * @warehouse/sources: the four operational systems' landed tables (`raw_sales`, `raw_crm`,
 * `raw_erp`, `raw_marketing`) and the business rules on raw data that several domains share.
 */
export { orders } from './sales/orders.js';
export { orderLines } from './sales/order-lines.js';
export { returns } from './sales/returns.js';
export { customers } from './crm/customers.js';
export { interactions } from './crm/interactions.js';
export { loyaltyAccounts, loyaltyEvents } from './crm/loyalty.js';
export { products } from './erp/products.js';
export { locations } from './erp/locations.js';
export { stockMovements, stockSnapshots } from './erp/stock.js';
export { campaignSpend, campaigns, mediaChannels } from './marketing/channels-and-campaigns.js';
export { audienceSegments, offers, segmentMemberships } from './marketing/offers-and-segments.js';

export { distinctDeliveries, latestVersion } from './rules/latest-version.js';
export { discountAmount, grossAmount, isRevenueOrder, netAmount, ORDER_STATUSES } from './rules/sales-amounts.js';
export { lineRefunds, ordersChangedSince } from './rules/changed-orders.js';
export { productVersions, type ProductVersion } from './rules/product-versions.js';

import { orders } from './sales/orders.js';
import { orderLines } from './sales/order-lines.js';
import { returns } from './sales/returns.js';
import { customers } from './crm/customers.js';
import { interactions } from './crm/interactions.js';
import { loyaltyAccounts, loyaltyEvents } from './crm/loyalty.js';
import { products } from './erp/products.js';
import { locations } from './erp/locations.js';
import { stockMovements, stockSnapshots } from './erp/stock.js';
import { campaignSpend, campaigns, mediaChannels } from './marketing/channels-and-campaigns.js';
import { audienceSegments, offers, segmentMemberships } from './marketing/offers-and-segments.js';

/** Every landed table, by system. */
export const sources = {
  sales: [orders, orderLines, returns],
  crm: [customers, interactions, loyaltyAccounts, loyaltyEvents],
  erp: [products, locations, stockMovements, stockSnapshots],
  marketing: [mediaChannels, campaigns, campaignSpend, offers, audienceSegments, segmentMemberships],
} as const;

export { DEMO_SOURCES, seedDemo, type SeedDemoOptions, type SeedDemoSummary } from './demo/seed-demo.js';
export { EPOCH as DEMO_EPOCH } from './demo/demo-calendar.js';
export { resetDemoData } from './demo/reset-demo.js';
