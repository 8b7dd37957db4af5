/**
 * @warehouse/inventory: products, locations and daily stock. Public models: wh_dim_product and
 * wh_dim_location, which other domains key their facts on, and stg_inventory_sales_lines, the
 * deduplicated order lines with their amounts that other domains sum.
 */
import { inventoryKpis } from './kpis/inventory-kpis.js';
import { stgInventoryDailyStock } from './models/stg_inventory_daily_stock.js';
import { stgInventoryProducts } from './models/stg_inventory_products.js';
import { stgInventorySalesLines } from './models/stg_inventory_sales_lines.js';
import { stgInventoryProductStock } from './models/stg_inventory_product_stock.js';
import { whDimLocation } from './models/wh_dim_location.js';
import { whDimProduct } from './models/wh_dim_product.js';
import { whFactInventory } from './models/wh_fact_inventory.js';

export { stgInventorySalesLines, whDimLocation, whDimProduct, whFactInventory };
export { sellThrough, stockCoverDays } from './kpis/inventory-kpis.js';

/** Every model of the domain, protected ones included, for the project graph. */
export const models = [
  stgInventoryProducts,
  stgInventoryDailyStock,
  stgInventorySalesLines,
  stgInventoryProductStock,
  whDimProduct,
  whDimLocation,
  whFactInventory,
];

/** Every KPI of the domain. */
export const kpis = inventoryKpis;
