/**
 * The failures a tool, resource or prompt reports on purpose. Anything else thrown by a handler is a bug: tdmcp logs
 * its stack and tells the client "Internal error" with the request id, never the stack.
 * @module
 */

/**
 * Arguments the caller can fix (a name that does not exist, a date out of range, a foreign page token): reported to
 * the client as `Invalid argument: <message>` (`isError` on a tool result; JSON-RPC "invalid params" on a resource,
 * prompt or completion). Say what to send instead.
 */
export class ToolInputError extends Error {
  override readonly name = "ToolInputError";
}
