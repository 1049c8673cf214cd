// CPU spent per point query, by process, at concurrency 16 on PostgreSQL:
// the raw npm:odbc pool in this process against tdmcp over stdio and HTTP
// (this process is then the MCP client). Reads utime+stime from /proc for
// this process, the server and every `postgres` process, before and after.
//
//   deno run --allow-all bench/cpu_budget.ts [--calls=6000]
//
// Needs TDMCP_TEST_PG_URI with the demo schema loaded (run `deno task bench`
// once), or starts nothing itself. Prints a Markdown table. Linux only.
import { demoPostgresUri, PG_DEMO_SCHEMA } from "../tests/_helpers.ts";
import { pointLoad } from "./_measure.ts";
import { rawPointLoad, RawPool } from "./_raw.ts";
import { startServer, type Transport } from "./_servers.ts";
import { cpuOf, postgresCpu, say, write } from "./_stats.ts";

interface Row {
  what: string;
  rps: number;
  client: number;
  server: number;
  postgres: number;
}

async function measure(
  what: string,
  run: () => Promise<{ perSecond: number }>,
  serverPid?: number,
  calls = 1,
): Promise<Row> {
  const before = { client: cpuOf("self"), server: serverPid ? cpuOf(serverPid) : 0, postgres: postgresCpu() };
  const rps = (await run()).perSecond;
  const after = { client: cpuOf("self"), server: serverPid ? cpuOf(serverPid) : 0, postgres: postgresCpu() };
  const per = (k: keyof typeof before) => (after[k] - before[k]) / calls;
  return { what, rps, client: per("client"), server: per("server"), postgres: per("postgres") };
}

async function main(args: string[]): Promise<void> {
  const calls = Number(args.find((a) => a.startsWith("--calls="))?.slice(8) ?? 6000);
  if (!Deno.env.get("TDMCP_TEST_PG_URI")) throw new Error("set TDMCP_TEST_PG_URI (see the header)");
  const uri = (await demoPostgresUri())!;
  const sql = (n: number) => `SELECT * FROM ${PG_DEMO_SCHEMA}.orders WHERE order_id = ${1 + (n * 7919) % 100_000}`;
  const rows: Row[] = [];
  const pool = await RawPool.open(uri, 8);
  try {
    for (const mode of ["query", "cursor"] as const) {
      await rawPointLoad(pool, mode, 16, 5, 500, sql); // warm-up
      rows.push(
        await measure(`raw pool, ${mode}`, () => rawPointLoad(pool, mode, 16, 0, calls, sql), undefined, calls),
      );
      say(`raw ${mode} done`);
    }
  } finally {
    await pool.close();
  }
  for (const transport of ["stdio", "http"] as Transport[]) {
    const server = await startServer({ kind: "tdmcp", transport, uri: uri, dbhubToml: "" });
    try {
      await pointLoad(server, 16, 5, 500, sql);
      rows.push(
        await measure(`tdmcp, ${transport}`, () => pointLoad(server, 16, 0, calls, sql), server.pid, calls),
      );
      say(`tdmcp ${transport} done`);
    } finally {
      await server.stop();
    }
  }
  const us = (v: number) => v === 0 ? "–" : v.toFixed(0);
  write(
    [
      `CPU µs per point query at concurrency 16 (${calls} calls each; PostgreSQL; 2 vCPUs):`,
      "",
      "| | calls/s | client (this process) | server | postgres | total | 2 vCPUs ÷ total |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...rows.map((r) => {
        const total = r.client + r.server + r.postgres;
        return `| ${r.what} | ${r.rps.toFixed(0)} | ${us(r.client)} | ${us(r.server)} | ${us(r.postgres)} | ${
          total.toFixed(0)
        } | ${(2_000_000 / total).toFixed(0)} calls/s |`;
      }),
      "",
    ].join("\n"),
  );
}

if (import.meta.main) await main(Deno.args);
