import { sql, type ModelContext, type RawBuilder } from '@warehouse/core';
import { products } from '../erp/products.js';

export interface ProductVersion {
  product_id: string;
  unit_cost: string;
  list_price: string;
  valid_from: Date;
  valid_to: Date | null;
}

/**
 * Each ERP product version with the period it was in force (`valid_from` inclusive, `valid_to`
 * exclusive, null while current; the first version reaches back to -infinity). Join with
 * core's `validAt` to price a sale at the cost of its day, which does not change when the
 * ERP changes the cost later, so incremental and full builds agree.
 */
export function productVersions(source: ModelContext['source']): RawBuilder<ProductVersion> {
  return sql<ProductVersion>`(
    select product_id, unit_cost, list_price,
           case when row_number() over w = 1 then '-infinity'::timestamptz else updated_at end as valid_from,
           lead(updated_at) over w as valid_to
    from (select distinct on (product_id, updated_at) * from ${source(products)} order by product_id, updated_at, _loaded_at desc) as p
    window w as (partition by product_id order by updated_at)
  )`;
}
