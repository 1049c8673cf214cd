-- title: Find products by name
-- description: Products whose name contains a text (case-insensitive), cheapest first.
--   Discontinued products are left out unless include_discontinued is true.
--   Result: product_id, sku, name, list_price, discontinued_date.
-- param: text string "Part of the product name, e.g. 'kettle'"
-- param: include_discontinued boolean "Also list discontinued products" default false
-- dialects: sqlite, postgres
SELECT product_id, sku, name, list_price, discontinued_date
FROM products
WHERE lower(name) LIKE '%' || lower(:text) || '%'
  AND (:include_discontinued = 1 OR discontinued_date IS NULL) /* booleans are bound as 1 or 0 */
ORDER BY list_price, product_id
