/**
 * MCP SDK client pieces for tests (v2: `@modelcontextprotocol/client`), the
 * client real users run.
 * @module
 */

export { Client, InMemoryTransport, SdkHttpError, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
export type { CallToolResult } from "@modelcontextprotocol/client";
export { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
