/**
 * Streamable HTTP as a transport of server/lifecycle.ts: the listener of server.ts, and the bearer token read from
 * `MCP_AUTH_TOKEN` or the file `MCP_AUTH_TOKEN_FILE` names.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { OpenTransport } from "../../server/lifecycle.ts";
import { type HttpOptions, serveHttp } from "./server.ts";

/** HTTP options as configured: the token, or the file that holds it, not yet read. */
export type HttpConfig = HttpOptions & { authTokenFile?: string | null };

/**
 * Serves MCP over Streamable HTTP; `ready` says whether the database answers (`/readyz`); `onToken` learns the token
 * once read, to keep it out of every log line.
 */
export function httpTransport(
  config: HttpConfig,
  ready: () => Promise<{ ok: boolean; message: string }>,
  log: Logger,
  onToken: (token: string) => void,
): OpenTransport {
  return async (newServer) => {
    const authToken = await readAuthToken(config);
    if (authToken) onToken(authToken);
    const { authTokenFile: _, ...options } = config;
    const http = serveHttp({ ...options, authToken }, { newServer, ready, log });
    return {
      name: "Streamable HTTP",
      shutdown: (deadlineMs) => http.shutdown(deadlineMs),
      close: () => Promise.resolve(), // shutdown closed every session
    };
  };
}

/** The bearer token: MCP_AUTH_TOKEN, or the first line of the file MCP_AUTH_TOKEN_FILE names. */
async function readAuthToken(config: HttpConfig): Promise<string | null> {
  if (config.authToken) return config.authToken;
  if (!config.authTokenFile) return null;
  const token = (await Deno.readTextFile(config.authTokenFile)).split(/\r?\n/)[0].trim();
  if (!token) {
    throw new TypeError(
      `Cannot start server as 'MCP_AUTH_TOKEN_FILE' must hold a token: "${config.authTokenFile}" is empty`,
    );
  }
  return token;
}
