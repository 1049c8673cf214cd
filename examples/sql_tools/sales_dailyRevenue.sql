-- title: Daily sales between two dates
-- description: Orders, units and revenue per day from the v_daily_sales view (cancelled and returned
--   orders excluded), oldest day first, for order dates from from_date to to_date inclusive.
--   Days without a sale are absent. Result: order_date, orders, units, revenue.
-- param: from_date date "First order date to include"
-- param: to_date date "Last order date to include"
-- dialects: sqlite, postgres
SELECT order_date, orders, units, revenue
FROM v_daily_sales
WHERE order_date BETWEEN :from_date AND :to_date  -- ISO dates compare as dates on PostgreSQL, as text on SQLite
ORDER BY order_date
