/**
 * Turns the metrics of several runs into Markdown: medians over the runs, and
 * ratios computed within each run before taking their median.
 * @module
 */
import { median, mib, ms, ratio } from "./_stats.ts";
import { PRE_WARM_READS } from "./_measure.ts";

/** CPU µs, whole. */
const us = (value: number) => Number.isFinite(value) ? value.toFixed(0) : "–";

/** One run's numbers, keyed like `postgres/tdmcp/http/c16/rps`. */
export type RunMetrics = Record<string, number>;

interface ReportContext {
  dbs: string[];
  /** The servers measured, as labelled in the metrics (`tdmcp`, `dbhub`, `tdmcp LOGGING_LEVEL=warning`). */
  labels: string[];
  loads: string[];
  counts: {
    c1: number[];
    c16: number[];
    cold: number;
    capped: [number, number];
    rawRead: [number, number];
    poolSize: number;
  };
}

const DB_NAMES: Record<string, string> = { postgres: "PostgreSQL", sqlite: "SQLite" };
const display = (label: string) => label === "dbhub" ? "DBHub" : label;

/** The Markdown report of `runs`. */
export function report(runs: RunMetrics[], ctx: ReportContext): string {
  const med = (key: string) => median(runs.map((r) => r[key]).filter((v) => v !== undefined));
  const has = (key: string) => runs.some((r) => r[key] !== undefined);
  /** Median over runs of the per-run ratio a / b. */
  const rat = (a: string, b: string) =>
    median(runs.filter((r) => r[a] !== undefined && r[b] !== undefined).map((r) => r[a] / r[b]));
  const out: string[] = [
    `Medians of ${runs.length} run(s); 1-minute load average at the start of each run: ${ctx.loads.join("; ")}.`,
    `Point query: ${ctx.counts.c1[1]} calls after ${ctx.counts.c1[0]} warm-ups at concurrency 1; ` +
    `${ctx.counts.c16[1]} calls after ${ctx.counts.c16[0]} warm-ups per caller at concurrency 16. ` +
    `Cold start: median of ${ctx.counts.cold} spawns after one untimed. Capped SELECT: ${
      ctx.counts.capped[1]
    } calls after ${
      ctx.counts.capped[0]
    } warm-ups, each table, the server warmed first by ${PRE_WARM_READS} reads of the ` +
    `1,000-row table. Raw pool: ${ctx.counts.poolSize} connections. CPU: utime + ` +
    `stime per timed call, of the server process (/proc, 10 ms ticks) or, for the raw pool, of this process ` +
    `(getrusage); CPU per 1,000-row read over ${ctx.counts.rawRead[1]} reads (after the timed ones for a server; ` +
    `after ${ctx.counts.rawRead[0]} warm-ups for the raw cursor).`,
    "",
  ];
  for (const db of ctx.dbs) {
    const rows: [string, string][] = [
      ...ctx.labels.flatMap((l): [string, string][] => [
        [`${display(l)}, stdio`, `${db}/${l}/stdio`],
        [`${display(l)}, HTTP`, `${db}/${l}/http`],
      ]),
      ["raw npm:odbc `query()`", `${db}/raw-query`],
      ["raw npm:odbc cursor", `${db}/raw-cursor`],
    ];
    const present = rows.filter(([, key]) => has(`${key}/c1/p50`));
    if (present.length > 0) {
      out.push(
        `| ${
          DB_NAMES[db]
        }: point query | c1 p50 / p95 / p99 ms | c1 calls/s | c16 p50 / p95 / p99 ms | c16 calls/s | c16 CPU µs/call |`,
        "| --- | ---: | ---: | ---: | ---: | ---: |",
      );
      for (const [label, key] of present) {
        const lat = (c: string) =>
          `${ms(med(`${key}/${c}/p50`))} / ${ms(med(`${key}/${c}/p95`))} / ${ms(med(`${key}/${c}/p99`))}`;
        out.push(
          `| ${label} | ${lat("c1")} | ${med(`${key}/c1/rps`).toFixed(0)} | ${lat("c16")} | ${
            med(`${key}/c16/rps`).toFixed(0)
          } | ${us(med(`${key}/c16/cpu`))} |`,
        );
      }
      out.push("");
    }
    const servers = ctx.labels.filter((k) => has(`${db}/${k}/cold`) || has(`${db}/${k}/capped/big`));
    if (servers.length > 0) {
      out.push(
        `| ${
          DB_NAMES[db]
        } | cold start to tools/list, ms | capped 1M rows p50 ms | 1k rows p50 ms | ratio 1M / 1k | peak RSS growth MB | peak RSS MB | server CPU µs per 1M / 1k call |`,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      );
      for (const k of servers) {
        const c = `${db}/${k}/capped`;
        out.push(
          `| ${display(k)} | ${ms(med(`${db}/${k}/cold`))} | ${ms(med(`${c}/big`))} | ${ms(med(`${c}/small`))} | ${
            ratio(rat(`${c}/big`, `${c}/small`))
          } | ${mib(med(`${c}/peakGrowth`))} | ${mib(med(`${c}/peak`))} | ${us(med(`${c}/bigCpu`))} / ${
            us(med(`${c}/smallCpu`))
          } |`,
        );
      }
      out.push("");
    }
  }
  out.push("| target | measured (median of per-run ratios) | goal | verdict |", "| --- | ---: | ---: | --- |");
  /** A ratio target (`atMost`: value ≤ goal) or, with `bytes`, a strict byte ceiling (value < goal). */
  const target = (label: string, value: number, goal: number, atMost: boolean, bytes = false) => {
    if (!Number.isFinite(value)) return;
    const pass = bytes ? value < goal : atMost ? value <= goal : value >= goal;
    const [shown, wanted] = bytes ? [`${mib(value)} MB`, `< ${mib(goal)} MB`] : [
      `${ratio(value)}×`,
      `${atMost ? "≤" : "≥"} ${goal}×`,
    ];
    out.push(`| ${label} | ${shown} | ${wanted} | ${pass ? "PASS" : "MISS"} |`);
  };
  /** A CPU ratio: tdmcp's server CPU per call (`a`) against the raw cursor's (`b`), both shown; no goal: report only. */
  const cpuTarget = (label: string, a: string, b: string, goal?: number) => {
    const value = rat(a, b);
    if (!Number.isFinite(value)) return;
    const shown = `${ratio(value)}× (${us(med(a))} / ${us(med(b))} µs)`;
    const [wanted, verdict] = goal === undefined ? ["report only", "–"] : [
      `≤ ${goal}×`,
      value <= goal ? "PASS" : "MISS",
    ];
    out.push(`| ${label} | ${shown} | ${wanted} | ${verdict} |`);
  };
  for (const db of ctx.dbs) {
    const name = DB_NAMES[db];
    for (const t of ["http", "stdio"]) {
      const tr = t === "http" ? "HTTP" : "stdio";
      target(
        `${name} ${tr}: tool-call p50 vs DBHub (c1)`,
        rat(`${db}/tdmcp/${t}/c1/p50`, `${db}/dbhub/${t}/c1/p50`),
        0.8,
        true,
      );
      target(
        `${name} ${tr}: calls/s at c16 vs DBHub`,
        rat(`${db}/tdmcp/${t}/c16/rps`, `${db}/dbhub/${t}/c16/rps`),
        1.25,
        false,
      );
    }
    cpuTarget(
      `${name} stdio: server CPU per point query vs raw cursor (c16)`,
      `${db}/tdmcp/stdio/c16/cpu`,
      `${db}/raw-cursor/c16/cpu`,
      2.0,
    );
    cpuTarget(
      `${name} stdio: server CPU per 1,000-row read vs raw cursor`,
      `${db}/tdmcp/capped/smallCpu`,
      `${db}/raw-cursor/read1k/cpu`,
    );
    target(`${name}: capped SELECT 1M / 1k rows`, rat(`${db}/tdmcp/capped/big`, `${db}/tdmcp/capped/small`), 1.5, true);
    const growth = median(runs.map((r) => r[`${db}/tdmcp/capped/peakGrowth`]).filter((v) => v !== undefined));
    target(`${name}: peak RSS growth over the 1M-row calls`, growth, 30 * 2 ** 20, true, true);
    target(`${name}: cold start vs DBHub`, rat(`${db}/tdmcp/cold`, `${db}/dbhub/cold`), 0.7, true);
  }
  return out.join("\n") + "\n";
}
