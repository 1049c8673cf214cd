import { LOCKING, resusageByDay, WINDOW_ARGS } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT } from "tdmcp/plugin";

// DBC.ResUsageSpma, one row per node per logging interval: TheDate, NodeID, Secs and NCPUs (SMALLINT), CPU time in
// centiseconds (CPUUExec user, CPUUServ system service, CPUIoWait), physical I/O (FileAcqReads, FilePreReads,
// FileWrites) and its volume (FileAcqReadKB, FilePreReadKB, FileWriteKB). CPU % = centiseconds / (NCPUs × Secs).
// Every summed value is cast to FLOAT first: NCPUs × Secs is SMALLINT × SMALLINT, an INTEGER whose SUM over a large
// system's nodes and intervals overflows INTEGER (Teradata: SUM of an INTEGER expression is INTEGER).
const f = (column: string) => `CAST(${column} AS FLOAT)`;
const statement = (window: string) =>
  `${LOCKING}SELECT TheDate AS log_date, COUNT(DISTINCT NodeID) AS nodes,
  CAST(SUM(${f("CPUUExec")} + ${f("CPUUServ")}) / NULLIFZERO(SUM(${f("NCPUs")} * ${
    f("Secs")
  })) AS DECIMAL(7,2)) AS cpu_busy_pct,
  CAST(SUM(${f("CPUIoWait")}) / NULLIFZERO(SUM(${f("NCPUs")} * ${f("Secs")})) AS DECIMAL(7,2)) AS cpu_io_wait_pct,
  CAST(SUM(${f("CPUUExec")} + ${f("CPUUServ")}) / 100 AS DECIMAL(18,2)) AS cpu_seconds,
  SUM(${f("FileAcqReads")} + ${f("FilePreReads")}) AS physical_reads, SUM(${f("FileWrites")}) AS physical_writes,
  CAST(SUM(${f("FileAcqReadKB")} + ${f("FilePreReadKB")}) / 1024 AS DECIMAL(18,2)) AS read_mb,
  CAST(SUM(${f("FileWriteKB")}) / 1024 AS DECIMAL(18,2)) AS write_mb
FROM DBC.ResUsageSpma WHERE ${window}
GROUP BY TheDate ORDER BY TheDate DESC`;

/** Node CPU and I/O per day, from ResUsage. */
export default defineTool({
  name: "dba_nodeUsage",
  title: "Node CPU and I/O per day",
  description: `CPU and physical I/O of the Teradata nodes per day, newest first, from DBC.ResUsageSpma (needs ResUsage
logging on for SPMA); use it to see how busy the system has been and whether load is growing. cpu_busy_pct is CPU time
in user and system service as a share of all CPUs over the logged seconds (100 = every CPU busy all day);
cpu_io_wait_pct the share spent waiting for I/O; cpu_seconds the CPU time used; physical_reads/writes and read_mb/
write_mb the file system's disk I/O. For the workload behind the load (per user, application, hour and kind of work,
from the query log) use dba_resusageSummary; for tables, dba_tableUsageImpact.
Window: days_back (or no_days; default 7, at most 365), or start_date/end_date.
Result: columns log_date, nodes, cpu_busy_pct, cpu_io_wait_pct, cpu_seconds, physical_reads, physical_writes, read_mb,
write_mb; one row per day.`,
  inputSchema: { ...WINDOW_ARGS },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  handler: (args, ctx) => resusageByDay(args, ctx, statement),
});
