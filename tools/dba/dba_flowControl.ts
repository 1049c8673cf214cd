import { LOCKING, resusageByDay, WINDOW_ARGS } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT } from "tdmcp/plugin";

// Flow control is logged per AMP per interval in DBC.ResUsageSawt (AMP worker tasks): TheDate, VprId, FlowCtlCnt
// (times the AMP entered flow control), FlowControlled (in flow control at the interval's end), AvailableMin (fewest
// free AMP worker tasks), InUseMax (most AMP worker tasks in use), MailBoxDepth (messages queued at the end).
// ResUsageSpma has no flow-control counts, so this reads ResUsageSawt.
// FlowCtlCnt is cast to BIGINT before it is summed (a SUM of INTEGER is INTEGER in Teradata).
const statement = (window: string) =>
  `${LOCKING}SELECT TheDate AS log_date, SUM(CAST(FlowCtlCnt AS BIGINT)) AS flow_control_entries,
  COUNT(DISTINCT CASE WHEN FlowCtlCnt > 0 THEN VprId END) AS amps_in_flow_control,
  COUNT(DISTINCT VprId) AS amps_reporting,
  SUM(CASE WHEN FlowControlled > 0 THEN 1 ELSE 0 END) AS intervals_ending_in_flow_control,
  MIN(AvailableMin) AS min_free_awts, MAX(InUseMax) AS max_awts_in_use, MAX(MailBoxDepth) AS max_mailbox_depth
FROM DBC.ResUsageSawt WHERE ${window}
GROUP BY TheDate ORDER BY TheDate DESC`;

/** AMP flow control per day, from ResUsage. */
export default defineTool({
  name: "dba_flowControl",
  title: "Flow control per day",
  description: `How often AMPs went into flow control, per day, newest first; use it when response times are erratic or
the system feels saturated. An AMP in flow control turns away new work messages because its AMP worker tasks (AWTs) are
exhausted; a few entries are normal, many (or on many AMPs) mean the system is overloaded.
Reads DBC.ResUsageSawt (the AMP worker task table; ResUsageSpma holds no flow-control counts), which needs ResUsage
logging on for SAWT. Window: days_back (or no_days; default 7, at most 365), or start_date/end_date as the official
Teradata MCP server takes them (YYYY-MM-DD).
Result: columns log_date, flow_control_entries (sum of FlowCtlCnt), amps_in_flow_control, amps_reporting,
intervals_ending_in_flow_control, min_free_awts, max_awts_in_use, max_mailbox_depth; one row per day.`,
  inputSchema: { ...WINDOW_ARGS },
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  handler: (args, ctx) => resusageByDay(args, ctx, statement),
});
