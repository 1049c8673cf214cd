import { DAYS_BACK, daysBack, LOCKING, RESUSAGE_EMPTY_NOTE, withinDays } from "../_dba.ts";
import { TABLE_OUTPUT, tableResult } from "../_result.ts";
import { defineTool, READ_ONLY } from "../_tool.ts";

// DBC.ResUsageSpma, one row per node per logging interval: TheDate, NodeID, Secs, NCPUs, CPU time in centiseconds
// (CPUUExec user, CPUUServ system service, CPUIoWait, CPUIdle), physical I/O (FileAcqReads, FilePreReads, FileWrites)
// and its volume (FileAcqReadKB, FilePreReadKB, FileWriteKB). CPU % = centiseconds / (NCPUs × Secs).
const SQL = `${LOCKING}SELECT TheDate AS log_date, COUNT(DISTINCT NodeID) AS nodes,
  CAST(SUM(CPUUExec + CPUUServ) / NULLIFZERO(SUM(NCPUs * Secs)) AS DECIMAL(7,2)) AS cpu_busy_pct,
  CAST(SUM(CPUIoWait) / NULLIFZERO(SUM(NCPUs * Secs)) AS DECIMAL(7,2)) AS cpu_io_wait_pct,
  CAST(SUM(CPUUExec + CPUUServ) / 100 AS DECIMAL(18,2)) AS cpu_seconds,
  SUM(FileAcqReads + FilePreReads) AS physical_reads, SUM(FileWrites) AS physical_writes,
  CAST(SUM(FileAcqReadKB + FilePreReadKB) / 1024 AS DECIMAL(18,2)) AS read_mb,
  CAST(SUM(FileWriteKB) / 1024 AS DECIMAL(18,2)) AS write_mb
FROM DBC.ResUsageSpma WHERE ${withinDays("TheDate")}
GROUP BY TheDate ORDER BY TheDate DESC`;

/** Node CPU and I/O per day, from ResUsage. */
export default defineTool({
  name: "dba_resusageSummary",
  title: "CPU and I/O per day",
  description: `CPU and physical I/O of the Teradata nodes per day, newest first, from DBC.ResUsageSpma (needs ResUsage
logging on for SPMA); use it to see how busy the system has been and whether load is growing. cpu_busy_pct is CPU time
in user and system service as a share of all CPUs over the logged seconds (100 = every CPU busy all day);
cpu_io_wait_pct the share spent waiting for I/O; cpu_seconds the CPU time used; physical_reads/writes and read_mb/
write_mb the file system's disk I/O. For which users or tables cause the load, use dba_tableUsageImpact.
Default 7 days, at most 365.
Result: columns log_date, nodes, cpu_busy_pct, cpu_io_wait_pct, cpu_seconds, physical_reads, physical_writes, read_mb,
write_mb; one row per day.`,
  inputSchema: { days_back: DAYS_BACK },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  async handler({ days_back }, ctx) {
    const result = await ctx.db.query(SQL, { params: [daysBack(days_back)], maxRows: 400, signal: ctx.signal });
    return tableResult(result, result.rowCount === 0 ? RESUSAGE_EMPTY_NOTE : undefined);
  },
});
