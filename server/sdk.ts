/**
 * The one doorway to the MCP SDK (v2: `@modelcontextprotocol/server`). Its
 * packages ship real declaration files, so no `@ts-types` lines are needed.
 * @module
 */

export {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  completable,
  createMcpHandler,
  deserializeMessage,
  inputRequired,
  isInitializeRequest,
  isLegacyRequest,
  McpServer,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError as SdkResourceNotFoundError,
  ResourceTemplate as SdkResourceTemplate,
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
export type {
  CacheHint,
  CallToolResult,
  EventId,
  EventStore,
  JSONRPCMessage,
  McpHttpHandler,
  ServerContext,
  ServerOptions,
  StreamId,
  Transport,
} from "@modelcontextprotocol/server";
export { serveStdio } from "@modelcontextprotocol/server/stdio";
