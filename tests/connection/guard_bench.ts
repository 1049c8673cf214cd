// The statement guard runs on every call: what it costs per statement.
//   deno bench --no-check tests/connection/guard_bench.ts
import { checkReadOnly, checkWrite } from "../../connection/guard.ts";

const point = (n: number) => `SELECT * FROM demo.orders WHERE order_id = ${(n * 7919) % 100_000 + 1}`;
const join = "SELECT o.order_id, c.name, sum(l.qty * l.price) AS total FROM orders o " +
  "JOIN customers c ON c.id = o.customer_id JOIN lines l ON l.order_id = o.order_id " +
  "WHERE o.created_at > now() - interval '30 days' AND c.name LIKE 'A%' GROUP BY 1, 2 ORDER BY total DESC LIMIT 50";
let n = 0;

for (const dialect of ["postgres", "sqlite", "teradata", "generic"] as const) {
  Deno.bench(`checkReadOnly: point query (${dialect})`, () => {
    checkReadOnly(point(n++), dialect);
  });
}
Deno.bench("checkReadOnly: access-locked temporal SEL (teradata)", () => {
  checkReadOnly(
    `LOCKING ROW ACCESS CURRENT VALIDTIME SEL * FROM demo.orders WHERE order_id = ${n++ % 100_000}`,
    "teradata",
  );
});
Deno.bench("checkReadOnly: EXPLAIN of an UPDATE (teradata)", () => {
  checkReadOnly(`EXPLAIN UPDATE demo.orders SET status = 'shipped' WHERE order_id = ${n++ % 100_000}`, "teradata");
});
Deno.bench("checkReadOnly: three-table join (postgres)", () => {
  checkReadOnly(join, "postgres");
});
Deno.bench("checkReadOnly: ts_stat over SQL text that is a read (postgres)", () => {
  checkReadOnly("SELECT * FROM ts_stat('SELECT tsv FROM docs WHERE k = ''a''')", "postgres");
});
Deno.bench("checkWrite: point update (postgres)", () => {
  checkWrite(`UPDATE demo.orders SET status = 'shipped' WHERE order_id = ${n++ % 100_000}`, "postgres");
});
Deno.bench("checkWrite: update with a backslash, two readings (postgres)", () => {
  checkWrite("UPDATE demo.orders SET note = 'C:\\temp' WHERE order_id = 1", "postgres");
});
