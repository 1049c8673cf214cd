import { LOCKING } from "../lib/dba.ts";
import { defineTool, READ_ONLY, TABLE_OUTPUT, tableResult } from "tdmcp/plugin";

// DBC.DiskSpaceV (DatabaseName, Vproc, MaxPerm, CurrentPerm, CurrentSpool, CurrentTemp): one row per database per AMP.
// A child's MaxPerm is carved out of its parent's, so SUM(MaxPerm) over every database is the system's perm space.
const SQL = `${LOCKING}SELECT SUM(MaxPerm) AS max_perm_bytes, SUM(CurrentPerm) AS used_perm_bytes,
  SUM(MaxPerm) - SUM(CurrentPerm) AS free_perm_bytes,
  CAST(SUM(CurrentPerm) * 100.0 / NULLIFZERO(SUM(MaxPerm)) AS DECIMAL(7,2)) AS perm_used_pct,
  SUM(CurrentSpool) AS used_spool_bytes, SUM(CurrentTemp) AS used_temp_bytes,
  COUNT(DISTINCT DatabaseName) AS databases, COUNT(DISTINCT Vproc) AS amps
FROM DBC.DiskSpaceV`;

/** System-wide permanent, spool and temporary space. */
export default defineTool({
  name: "dba_systemSpace",
  title: "System space",
  description: `Space of the whole Teradata system in one row, from DBC.DiskSpaceV summed over every database and AMP;
use it for the warehouse-wide picture (how full is the system), then dba_databaseSpace for the databases behind it.
max_perm_bytes is the total permanent space (a child database's MaxPerm comes out of its parent's, so the sum counts
each byte once), used_perm_bytes = CurrentPerm, free_perm_bytes = max - used, perm_used_pct = used / max.
used_spool_bytes and used_temp_bytes are spool and temporary space in use right now (their per-user limits are ceilings,
not allocations, so they are not summed). Needs SELECT on DBC.DiskSpaceV: the whole system, not only your databases.
Result: one row with columns max_perm_bytes, used_perm_bytes, free_perm_bytes, perm_used_pct, used_spool_bytes,
used_temp_bytes, databases, amps.`,
  inputSchema: {},
  outputSchema: TABLE_OUTPUT,
  annotations: READ_ONLY,
  dialects: ["teradata"],
  async handler(_args, ctx) {
    return tableResult(await ctx.db.query(SQL, { maxRows: 1, signal: ctx.signal }));
  },
});
