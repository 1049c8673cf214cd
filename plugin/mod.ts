/**
 * The public extension API of tdmcp: everything a tool, resource or prompt file needs, imported by its mapped name
 * (`import { defineTool, tableResult } from "tdmcp/plugin";`) from a folder anywhere (`TOOLS_DIR`).
 *
 * - {@linkcode defineTool}, {@linkcode defineResource}, {@linkcode defineResourceTemplate}, {@linkcode definePrompt}
 * - failures the caller can fix: {@linkcode ToolInputError}
 * - results: {@linkcode tableResult}, {@linkcode errorResult}, {@linkcode TABLE_OUTPUT}
 * - the context a tool receives ({@linkcode ToolContext}) and the database it reaches through it ({@linkcode Database})
 * - a write the user confirms first: `await ctx.confirm(request)` ({@linkcode ConfirmRequest}) before the statement
 * - asking the user, the client's model or its roots, on both protocol eras: `return ctx.input.ask({key: request})`
 *   ({@linkcode InputRequest}), then `ctx.input.answers[key]` ({@linkcode InputAnswer}) and `ctx.input.state` when the
 *   handler runs again ({@linkcode ToolInput}; docs/tools.md "Asking the user or the client")
 * @module
 */
export * from "./errors.ts";
export * from "./tool.ts";
export * from "./resource.ts";
export * from "./prompt.ts";
export * from "./result.ts";
export { DIALECTS } from "../connection/types.ts";
export type {
  Cell,
  Database,
  DatabaseStats,
  Dialect,
  Engine,
  QueryOptions,
  QueryResult,
  ResultColumn,
  RolePower,
  TruncatedBy,
} from "../connection/types.ts";
