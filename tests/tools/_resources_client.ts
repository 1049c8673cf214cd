/**
 * An MCP client wired in memory to a server with the whole built-in catalog
 * (tools, resources, templates, prompts), and a Database wrapper that counts
 * the statements a request sends — for the resource and prompt tests.
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Database, QueryOptions } from "../../connection/types.ts";
import { createServer } from "../../server/create.ts";
import { loadCatalog } from "../../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../../server/paths.ts";
import { Client, InMemoryTransport } from "../_sdk.ts";

const LIMITS = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000 };

/** A client connected to a server over `db` serving everything under tools/. */
export async function connectCatalog(db: Database) {
  const catalog = await loadCatalog([BUILTIN_TOOLS_DIR]);
  const server = createServer({ db, ...catalog, limits: LIMITS, log: getLogger(["tdmcp", "test"]) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "resources-test", version: "0" });
  await client.connect(clientSide);
  return {
    client,
    /** The text of a resource read. */
    async readText(uri: string): Promise<string> {
      const { contents } = await client.readResource({ uri });
      return (contents[0] as { text: string }).text;
    },
    /** Completion values for a variable of the schema template. */
    async completeSchema(argument: string, value: string, context?: Record<string, string>): Promise<string[]> {
      const r = await client.complete({
        ref: { type: "ref/resource", uri: "schema://{database}/{table}" },
        argument: { name: argument, value },
        ...(context ? { context: { arguments: context } } : {}),
      });
      return r.completion.values;
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
    },
  };
}

/** `db` with every statement recorded in `sent` (and every ODBC catalog call as `odbcTables`/`odbcColumns`). */
export function countingDatabase(db: Database): { db: Database; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    db: {
      dialect: db.dialect,
      target: db.target,
      defaultMaxRows: db.defaultMaxRows,
      allowWrite: db.allowWrite,
      identify: () => db.identify(),
      query: (sql: string, options?: QueryOptions) => {
        sent.push(sql);
        return db.query(sql, options);
      },
      odbcTables: (schema, table) => {
        sent.push("odbcTables");
        return db.odbcTables(schema, table);
      },
      odbcColumns: (schema, table) => {
        sent.push("odbcColumns");
        return db.odbcColumns(schema, table);
      },
      health: () => db.health(),
      stats: () => db.stats(),
      close: () => db.close(),
      [Symbol.asyncDispose]: () => db.close(),
    },
  };
}

/** Every listed resource, page by page, with the size of each page. */
export async function listAllPages(client: Client): Promise<{ uris: string[]; names: string[]; pages: number[] }> {
  const uris: string[] = [];
  const names: string[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request({ method: "resources/list", params: cursor === undefined ? {} : { cursor } });
    pages.push(page.resources.length);
    uris.push(...page.resources.map((r) => r.uri));
    names.push(...page.resources.map((r) => r.name));
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 1000);
  return { uris, names, pages };
}
