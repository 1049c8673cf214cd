-- name: sales_topCustomers
-- title: Top customers of a region by orders
-- description: The customers of one sales region with the most orders, most first (ties by customer_id).
--   Use it to find a region's best customers; filter out occasional buyers with min_orders.
--   Result: customer_id, first_name, last_name, orders.
-- param: region string "Region name: North, South, East, West or Central"
-- param: min_orders integer "Least orders a customer needs to be listed" default 1
-- param: top integer "How many customers to return" default 10
-- dialects: sqlite, postgres
SELECT c.customer_id, c.first_name, c.last_name, count(*) AS orders
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN regions r ON r.region_id = c.region_id
WHERE r.name = :region
GROUP BY c.customer_id, c.first_name, c.last_name
HAVING count(*) >= :min_orders
ORDER BY orders DESC, c.customer_id
LIMIT :top
