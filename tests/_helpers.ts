/**
 * Shared test fixtures: the demo database built once per test process, a
 * Database on it, and an MCP client wired to a server in memory.
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { DATABASE_DEFAULTS, type DatabaseConfig, openDatabase } from "../connection/database.ts";
import { loadOdbc, type OdbcDriver } from "../connection/odbc.ts";
import { runScript } from "../connection/script.ts";
import type { Cell, Database } from "../connection/types.ts";
import { DEMO_SCHEMA_VERSION, demoStatements } from "../demo/schema.ts";
import { createServer } from "../server/create.ts";
import { loadTools } from "../server/loader.ts";
import { BUILTIN_TOOLS_DIR } from "../server/paths.ts";
import { type CallToolResult, Client, InMemoryTransport } from "./_sdk.ts";
import { pgAdmin, pgUri } from "./_pg.ts";

/** Where fixtures shared by the test files of one run live. */
const FIXTURE_DIR = `${Deno.env.get("TMPDIR") ?? "/tmp"}/tdmcp-test-fixtures`;

/** Builds (once, atomically) a SQLite file from statements and returns its path. */
export async function sqliteFixture(
  name: string,
  statements: () => string[],
): Promise<string> {
  await Deno.mkdir(FIXTURE_DIR, { recursive: true });
  const path = `${FIXTURE_DIR}/${name}.db`;
  try {
    await Deno.stat(path);
    return path;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  await runScript(`sqlite://${temporary}`, statements());
  await Deno.rename(temporary, path);
  return path;
}

/** Rows of the `big` table added to the test copies of the demo data. */
export const BIG_TABLE_ROWS = 1_000_000;

/** A table of a million rows, for row-cap tests. */
function bigTableStatements(dialect: "sqlite" | "postgres"): string[] {
  return dialect === "sqlite"
    ? [
      "CREATE TABLE big (id INTEGER PRIMARY KEY, payload TEXT, amount REAL)",
      `INSERT INTO big WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BIG_TABLE_ROWS})
SELECT i, 'row ' || i, i * 0.5 FROM n`,
    ]
    : [
      `CREATE TABLE big AS SELECT g AS id, 'row ' || g AS payload, g * 0.5 AS amount FROM generate_series(1, ${BIG_TABLE_ROWS}) g`,
    ];
}

/** The demo database plus the `big` table as SQLite, built once per machine and schema version. */
export function demoSqlitePath(): Promise<string> {
  return sqliteFixture(
    `demo-v${DEMO_SCHEMA_VERSION}-big`,
    () => [...demoStatements("sqlite"), ...bigTableStatements("sqlite")],
  );
}

/** The schema holding the demo data in the test PostgreSQL database. */
export const PG_DEMO_SCHEMA = `tdmcp_demo_v${DEMO_SCHEMA_VERSION}`;

/** Loads the demo data into the test PostgreSQL database once; returns the URI or undefined without PostgreSQL. */
export async function demoPostgresUri(): Promise<string | undefined> {
  const uri = pgUri();
  if (!uri) return undefined;
  const present = await pgAdmin(
    `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${PG_DEMO_SCHEMA}' AND table_name = 'big'`,
  );
  if (present.trim() !== "1") {
    await pgAdmin(
      `DROP SCHEMA IF EXISTS ${PG_DEMO_SCHEMA} CASCADE; CREATE SCHEMA ${PG_DEMO_SCHEMA}`,
    );
    const statements = demoStatements("postgres");
    await runScript(uri, [
      `SET search_path TO ${PG_DEMO_SCHEMA}`,
      ...statements,
      ...bigTableStatements("postgres"),
    ]);
  }
  return uri;
}

/**
 * Opens a Database for tests with the default settings, except that the test PostgreSQL cluster's superuser is
 * accepted (tests/connection/session_test.ts checks that the product's default refuses it).
 */
export function testDatabase(
  uri: string,
  overrides: Partial<DatabaseConfig> = {},
): Database {
  return openDatabase({ ...DATABASE_DEFAULTS, allowSuperuser: true, ...overrides, uri });
}

/**
 * The odbc addon, except that every connection reports the engine "AcmeDB": an engine tdmcp does not know (whatever
 * database really answers stands in for it).
 */
export function unknownEngineDriver(): OdbcDriver {
  const driver = loadOdbc();
  return {
    addonPath: driver.addonPath,
    connect: async (connectionString, loginTimeoutSeconds) => {
      const connection = await driver.connect(connectionString, loginTimeoutSeconds);
      Object.defineProperty(connection, "dbmsName", { value: "AcmeDB" });
      return connection;
    },
  };
}

/** A Database in the generic dialect: an engine tdmcp does not know, served with `allowUnknownEngine`. */
export function genericDatabase(uri: string, overrides: Partial<DatabaseConfig> = {}): Database {
  return openDatabase({ ...DATABASE_DEFAULTS, allowUnknownEngine: true, ...overrides, uri }, unknownEngineDriver());
}

/** An MCP client connected in memory to a server over `db`, with the built-in tools. */
export async function connectClient(
  db: Database,
  limits = { defaultRows: 1000, maxRows: 50_000, timeoutMs: 30_000, maxTimeoutMs: 600_000 },
) {
  const tools = (await loadTools([BUILTIN_TOOLS_DIR])).map((l) => l.tool);
  const server = createServer({
    db,
    tools,
    limits,
    log: getLogger(["tdmcp", "test"]),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "tdmcp-test", version: "0" });
  await client.connect(clientSide);
  return {
    client,
    /** Calls a tool and returns its result with the structured content typed loosely. */
    async call(name: string, args: Record<string, unknown> = {}) {
      return await client.callTool({ name, arguments: args }) as
        & CallToolResult
        & { structuredContent?: TableContent & Record<string, unknown> };
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
    },
  };
}

/** The structured content of a table result. */
export interface TableContent {
  columns: { name: string; type: string }[];
  rows: Cell[][];
  row_count: number;
  truncated: boolean;
  truncated_by: "rows" | "bytes" | null;
}

/** The text of a tool result's first content block. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === "text" ? first.text : "";
}

/** Writes a measurement to stderr for the test log (lint forbids console). */
export function note(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`  [measured] ${text}\n`));
}
