/**
 * Teradata checked by something other than ourselves (issue 13 item 8): every statement the catalog (tools,
 * resources, completions, prompts) and the connection layer send to Teradata, for representative arguments, is parsed
 * by an independent grammar, sqlglot's Teradata dialect (Debian python3-sqlglot, installed by .ci/run), through
 * tests/tools/_sqlglot_parse.py. A statement sqlglot rejects fails the test unless it is one of the valid Teradata
 * forms sqlglot 10.x has no grammar for, listed in SQLGLOT_LACKS with the Teradata documentation that defines them.
 * A statement sqlglot only accepts as an opaque command (no grammar behind it) counts as unparsed too.
 *
 * The statements come from the stand-in Teradata driver (./_teradata_named.ts), answering in a few worlds so that
 * each tool's branches run: a table, a view, a view HELP COLUMN cannot read, a missing table, a join index.
 */
import assert from "node:assert/strict";
import { connectCatalog } from "./_resources_client.ts";
import { type Answer, HELP_COLUMNS, teradata, teradataError } from "./_teradata_named.ts";

/**
 * A valid Teradata form sqlglot 10.6's Teradata dialect has no grammar for. A whole-statement form (`replace`
 * absent) is matched against the whole statement (whitespace collapsed) and not parsed; a clause form is replaced
 * with what sqlglot can parse (`replace`) and the rest of the statement is still parsed, so one unsupported clause
 * does not hide a statement from the grammar. Keep the list small and each pattern as narrow as what tdmcp sends: a
 * statement sqlglot rejects that is not one of these is a tdmcp bug until shown otherwise.
 */
interface Form {
  name: string;
  pattern: RegExp;
  replace?: string;
  /** Why it is valid Teradata, and the documentation page that says so. */
  reason: string;
  /** Sent only under some configuration: not required to appear in every run. */
  optional?: true;
}

const SQLGLOT_LACKS: Form[] = [
  {
    // sqlglot 10.6 tokenises LOCKING as an identifier ("Unexpected token" at ROW).
    name: "LOCKING ROW FOR ACCESS request modifier",
    pattern: /^LOCKING ROW FOR ACCESS (?=SELECT )/,
    replace: "",
    reason: "Teradata extension placing an access lock for the request; SQL Data Manipulation Language, LOCKING " +
      "Request Modifier: https://docs.teradata.com/r/Enterprise_IntelliFlex_VMware/SQL-Data-Manipulation-Language/" +
      "Statement-Syntax/LOCKING-Request-Modifier",
  },
  {
    // sqlglot 10.6 accepts EXPLAIN only as an opaque Command. base_readQuery's explain_first (issue 13 item 7).
    name: "EXPLAIN request modifier",
    pattern: /^EXPLAIN (?=SELECT )/,
    replace: "",
    reason: "returns the Optimizer's plan without running the request; SQL Request and Transaction Processing, " +
      "EXPLAIN Request Modifier: https://docs.teradata.com/r/Enterprise_IntelliFlex_VMware/" +
      "SQL-Request-and-Transaction-Processing/Interpreting-EXPLAIN-Output/EXPLAIN-Request-Modifier",
    optional: true,
  },
  {
    // sqlglot 10.6's Teradata dialect has no TOP (only T-SQL's has); "Unexpected token" at the number.
    name: "SELECT TOP n",
    pattern: /\bSELECT TOP [1-9]\d* (?!PERCENT|WITH TIES)/g,
    replace: "SELECT ",
    reason: "TOP { integer | decimal } [ PERCENT ] [ WITH TIES ], a nonzero positive INTEGER literal; SQL Data " +
      "Manipulation Language, TOP Clause Syntax: https://docs.teradata.com/r/Enterprise_IntelliFlex_VMware/" +
      "SQL-Data-Manipulation-Language/SELECT-Statements/Select-List-Syntax/TOP-Clause/TOP-Clause-Syntax",
  },
  {
    // sqlglot 10.6 expects ")" at FORMAT inside CAST.
    name: "CAST(... AS DATE FORMAT '...')",
    pattern: /\bAS DATE FORMAT 'YYYY-MM-DD'\)/g,
    replace: "AS DATE)",
    reason: "Teradata's CAST takes data attributes after the type (FORMAT, NAMED, TITLE); Data Types and Literals, " +
      "CAST in Explicit Data Type Conversions: https://docs.teradata.com/r/Teradata-VantageCloud-Lake/" +
      "Database-Reference/Data-Types-and-Literals/Data-Type-Conversions/CAST-in-Explicit-Data-Type-Conversions",
  },
  {
    // sqlglot 10.6 expects ")" at CHARACTER SET inside CAST.
    name: "CAST(... AS VARCHAR(n) CHARACTER SET UNICODE)",
    pattern: /\bAS VARCHAR\((\d+)\) CHARACTER SET (?:UNICODE|LATIN)\)/g,
    replace: "AS VARCHAR($1))",
    reason: "the server character set of a character type; Data Types and Literals, CHARACTER SET Phrase: " +
      "https://docs.teradata.com/r/Teradata-VantageTM-Data-Types-and-Literals/July-2021/Character-and-CLOB-Data-Types/" +
      "CHARACTER-SET-Phrase/Usage-Notes",
  },
  {
    // sqlglot 10.6: "Invalid expression / Unexpected token" after HELP COLUMN.
    name: "HELP COLUMN db.object.*",
    pattern: /^HELP COLUMN "(?:[^"]|"")+"\."(?:[^"]|"")+"\.\*$/,
    reason: "reports the columns of a table or view, with types for view columns; SQL Data Definition Language " +
      "Detailed Topics, HELP COLUMN Attributes: https://docs.teradata.com/r/Enterprise_IntelliFlex_VMware/" +
      "SQL-Data-Definition-Language-Detailed-Topics/SQL-HELP-Statements/HELP-COLUMN/HELP-COLUMN-Attributes",
  },
  {
    // sqlglot 10.6 accepts SHOW only as an opaque Command (no grammar behind it).
    name: "SHOW TABLE / SHOW VIEW",
    pattern: /^SHOW (?:TABLE|VIEW) (?:"(?:[^"]|"")+"\.)?"(?:[^"]|"")+"$/,
    reason: "returns the object's CREATE text; SQL Data Definition Language Detailed Topics, SHOW object: " +
      "https://docs.teradata.com/r/Enterprise_IntelliFlex_VMware/SQL-Data-Definition-Language-Detailed-Topics/" +
      "SQL-SHOW-Statements/SHOW-object/Standard-Form-of-Display-for-SHOW-TABLE",
  },
  {
    // sqlglot 10.6 accepts SET only as an opaque Command.
    name: "SET QUERY_BAND ... FOR SESSION VOLATILE",
    pattern: /^SET QUERY_BAND = '(?:[^';]+=[^';]*;)*' FOR SESSION VOLATILE$/,
    reason: "a session query band not written to DBC.SessionTbl; SQL Data Definition Language Syntax and Examples, " +
      "SET QUERY_BAND, FOR SESSION VOLATILE: https://docs.teradata.com/r/SQL-Data-Definition-Language-Syntax-and-" +
      "Examples/September-2020/Session-Statements/SET-QUERY_BAND/SET-QUERY_BAND-Syntax-Elements/FOR-SESSION",
  },
];

const ORDERS = { table_name: "orders", database_name: "sales" };
const WINDOWS = [{}, { days_back: 30, top_n: 5 }, { start_date: "2024-01-01", end_date: "2024-01-31" }];

/** Per tool that runs on Teradata: representative argument sets (every branch the arguments choose). */
const CALLS: Record<string, Record<string, unknown>[]> = {
  base_columnDescription: [ORDERS, { table_name: "sales.orders" }, { table_name: "ord%", database_name: "sal%" }, {}],
  base_columnMetadata: [
    { database_name: "sales" },
    { database_name: "sales", object_name: "orders,stores", table_kind: "T,V", exclude_objects: "tmp%" },
    { database_name: "sales", table_filter: "ord%", fields: "data_type,nullable" },
    { database_name: "sales", table_names: ["orders", "stores"] },
  ],
  base_databaseList: [{}, { scope: "all" }],
  base_indexList: [ORDERS, { table_name: "orders" }],
  base_readQuery: [
    { sql: "SELECT order_id, amount FROM sales.orders WHERE amount > 10 ORDER BY order_id" },
    { sql: "SELECT COUNT(*) FROM sales.orders", row_limit: 5, timeout_seconds: 10 },
  ],
  base_tableAffinity: [ORDERS, { ...ORDERS, days: 90 }],
  base_tableDDL: [ORDERS, { table_name: "orders" }],
  base_tableList: [{}, { database_name: "sales" }, { database_name: "sales", name_filter: "%ord%" }],
  base_tablePreview: [ORDERS, { ...ORDERS, rows: 3 }],
  base_tableRelations: [ORDERS, { table_name: "orders" }],
  base_tableUsage: [{}, { database_name: "sales", days: 30 }],
  dba_databaseSpace: [{}, { database_name: "sales" }, { top_n: 5 }],
  dba_databaseVersion: [{}],
  dba_featureUsage: [...WINDOWS, { user_name: "alice", no_days: 90 }],
  dba_flowControl: WINDOWS.map(({ top_n: _, ...w }: Record<string, unknown>) => w),
  dba_nodeUsage: WINDOWS.map(({ top_n: _, ...w }: Record<string, unknown>) => w),
  dba_resusageSummary: [
    ...WINDOWS,
    { user_name: "alice", workloadType: "query", workloadComplexity: "answers", AppID: "BTEQ", no_days: 30 },
  ],
  dba_sessionInfo: [{}, { user_name: "alice", top_n: 5 }],
  dba_systemSpace: [{}],
  dba_tableSpace: [{}, { database_name: "sales" }, { ...ORDERS, top_n: 5 }],
  dba_tableSqlList: [{ table_name: "orders" }, { ...ORDERS, no_days: 90, top_n: 5 }, {
    table_name: "orders",
    start_date: "2024-01-01",
    end_date: "2024-01-31",
  }],
  dba_tableUsageImpact: [...WINDOWS, { database_name: "sales", user_name: "alice" }],
  dba_userDelay: [...WINDOWS, { user_name: "alice" }],
  dba_userSqlList: WINDOWS.map((w) => ({ ...w, user_name: "alice" })),
  qlty_columnSummary: [ORDERS],
  qlty_distinctCategories: [{ ...ORDERS, column_name: "status" }, { ...ORDERS, column_name: "status", limit: 5 }],
  qlty_duplicateRows: [ORDERS, { ...ORDERS, columns: ["status", "amount"], limit: 5 }],
  qlty_missingValues: [ORDERS],
  qlty_negativeValues: [ORDERS],
  qlty_outliers: [{ ...ORDERS, column_name: "amount" }, { ...ORDERS, column_name: "amount", k: 2.5, limit: 5 }],
  qlty_rowsWithMissingValues: [
    ORDERS,
    { ...ORDERS, column_name: "status" },
    { ...ORDERS, columns: ["status", "amount"], row_limit: 5 },
  ],
  qlty_standardDeviation: [{ ...ORDERS, column_name: "amount" }],
  qlty_univariateStatistics: [{ ...ORDERS, column_name: "amount" }],
  sec_rolePermissions: [{ role_name: "analyst" }, { role_name: "analyst", database_name: "sales" }],
  sec_userDbPermissions: [{ user_name: "alice" }, { user_name: "alice", database_name: "sales" }],
  sec_userRoles: [{ user_name: "alice" }],
};

/** The result column names of DBC.ColumnsVX reads (base_columnDescription reads some by name; others by position). */
const COLUMNS_VX = [
  "column_name",
  "ColumnType",
  "ColumnLength",
  "CharType",
  "DecimalTotalDigits",
  "DecimalFractionalDigits",
  "ColumnUDTName",
  "nullable",
  "default_value",
  "position",
  "comment",
  "table_name",
  "database_name",
];

/** DBC.ColumnsVX rows of sales.orders (a view's columns have no type codes). */
function columnsOf(view: boolean): unknown[][] {
  const rows = [
    ["order_id", "I ", 4, null, null, null, null, "N", null],
    ["status", "CV", 80, 2, null, null, null, "Y", "'new'"],
    ["amount", "D ", 8, null, 18, 2, null, "Y", null],
    ["placed", "TS", 26, null, null, 6, null, "N", null],
  ];
  const untyped = (r: unknown[]) => [r[0], ...Array(8).fill(null)];
  return rows.map((r, i) => [...(view ? untyped(r) : r), i + 1, null, "orders", "sales"]);
}

/** What the stand-in's catalog holds: sales.orders as a table, a view, a view HELP COLUMN cannot read, missing, a join index. */
type World = "table" | "view" | "brokenView" | "missing" | "joinIndex";
const WORLDS: World[] = ["table", "view", "brokenView", "missing", "joinIndex"];

/** The stand-in's answer to `sql` in `world`; undefined is an empty answer. */
function answer(world: World, sql: string): Answer | undefined {
  if (/TableKind FROM DBC\.TablesVX/.test(sql)) {
    const kind = { table: "T", view: "V", brokenView: "V", missing: null, joinIndex: "I" }[world];
    return { columns: ["TableKind"], rows: kind === null ? [] : [[kind]] };
  }
  if (world === "missing" && /FROM DBC\.(ColumnsVX|TablesVX|IndicesVX)/.test(sql)) return { columns: [], rows: [] };
  if (/^SELECT TOP \d+ c\.DatabaseName, c\.TableName, c\.ColumnName,/.test(sql)) {
    // base_columnMetadata: DatabaseName, TableName, ColumnName, the type fields, Nullable, ColumnId, DefaultValue.
    return { columns: [], rows: columnsOf(world !== "table").map((r) => [r[12], r[11], ...r.slice(0, 8), r[9], r[8]]) };
  }
  if (sql.includes("FROM DBC.ColumnsVX")) return { columns: COLUMNS_VX, rows: columnsOf(world !== "table") };
  if (sql.startsWith("HELP COLUMN")) {
    if (world === "brokenView") throw teradataError(3807, "Object 'sales.gone_table' does not exist.", "42S02");
    return { columns: HELP_COLUMNS, rows: [["order_id", "I ", "N", "-(10)9", 4, null, null, null]] };
  }
  if (sql.includes("FROM DBC.IndicesVX")) return { columns: ["IndexType", "ColumnName"], rows: [["P", "order_id"]] };
  if (sql.startsWith("SHOW ")) {
    return { columns: ["Request Text"], rows: [["CREATE SET TABLE sales.orders (order_id INTEGER)"]] };
  }
  if (sql.startsWith("EXPLAIN")) {
    // For base_readQuery's explain_first (issue 13 item 7), once it sends EXPLAIN.
    return {
      columns: ["Explanation"],
      rows: [[
        "  1) First, we do an all-AMPs RETRIEVE step. The size of Spool 1 is estimated with high confidence to be 10 rows. The estimated time for this step is 0.01 seconds.",
      ]],
    };
  }
  return undefined;
}

/** Every distinct statement the catalog and the connection layer send to the stand-in in `world`, and the failed calls. */
async function collect(world: World): Promise<{ statements: Set<string>; failures: string[] }> {
  const { db, sent } = teradata((sql) => answer(world, sql) ?? { columns: [], rows: [Array(12).fill(1)] });
  const failures: string[] = [];
  await using c = await connectCatalog(db);
  for (const [tool, calls] of Object.entries(CALLS)) {
    for (const args of calls) {
      const r = await c.client.callTool({ name: tool, arguments: args });
      if (r.isError) failures.push(`${tool}(${JSON.stringify(args)}): ${JSON.stringify(r.content).slice(0, 300)}`);
    }
  }
  // In the "missing" world these are errors; only the statements they send matter here.
  await c.client.listResources().catch(() => undefined);
  await c.readText("schema://sales/orders").catch(() => undefined);
  await c.completeSchema("database", "sa");
  await c.completeSchema("table", "or", { database: "sales" });
  await c.client.getPrompt({ name: "explore_database", arguments: {} });
  await c.client.getPrompt({ name: "explore_database", arguments: { database: "sales" } });
  await c.client.getPrompt({ name: "profile_table_quality", arguments: { table: "orders", database: "sales" } })
    .catch(() => undefined);
  // The connection layer's own statements: the health check and whatever identifying the server sends.
  await db.health();
  await db.identify();
  await db.close();
  return { statements: new Set(sent.map((s) => s.sql)), failures };
}

/** A python3 that can import sqlglot: the one on PATH, or Debian's (a pyenv python3 may come first on PATH). */
function findPython(): string | undefined {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      const probe = new Deno.Command(python, { args: ["-c", "import sqlglot"], stdout: "null", stderr: "null" });
      if (probe.outputSync().success) return python;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}

const PYTHON = findPython();
/** Said in the names of the tests that need sqlglot when it is missing (they are ignored then). */
const SKIPPED = PYTHON === undefined
  ? " [ignored: no python3 with sqlglot; apt-get install python3-sqlglot, as .ci/run does]"
  : "";
const SCRIPT = new URL("./_sqlglot_parse.py", import.meta.url).pathname;

/** One statement's verdict from _sqlglot_parse.py. */
type Verdict = { ok: true; kind: string } | { ok: false; error: string };

/** Parses `statements` with sqlglot's Teradata dialect; the verdicts in input order and sqlglot's version. */
async function parseAll(python: string, statements: string[]): Promise<{ version: string; results: Verdict[] }> {
  const child = new Deno.Command(python, { args: [SCRIPT], stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(statements)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, `_sqlglot_parse.py failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Collapses whitespace, for matching and readable messages. */
const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim();

/** A statement made ready for sqlglot: the text to parse (null: a whole-statement form) and the forms it uses. */
function prepare(sql: string): { text: string | null; forms: string[] } {
  let text = oneLine(sql);
  const forms: string[] = [];
  for (const form of SQLGLOT_LACKS) {
    form.pattern.lastIndex = 0;
    if (!form.pattern.test(text)) continue;
    forms.push(form.name);
    if (form.replace === undefined) return { text: null, forms };
    text = text.replace(form.pattern, form.replace);
  }
  return { text, forms };
}

/** What sqlglot made of a set of statements. */
interface Check {
  version: string;
  parsed: number;
  /** Per form: how many statements use it. */
  forms: Map<string, number>;
  /** Statements sqlglot rejects (or accepts only as an opaque command), with its message. */
  rejected: string[];
}

/** Parses `statements` with sqlglot's Teradata grammar after setting aside the forms it lacks. */
async function check(python: string, statements: string[]): Promise<Check> {
  const prepared = statements.map(prepare);
  const texts = prepared.flatMap((p) => p.text === null ? [] : [p.text]);
  const { version, results } = await parseAll(python, texts);
  const forms = new Map<string, number>();
  const rejected: string[] = [];
  let parsed = 0;
  let at = 0;
  prepared.forEach((p, i) => {
    p.forms.forEach((name) => forms.set(name, (forms.get(name) ?? 0) + 1));
    if (p.text === null) return;
    const verdict = results[at++];
    if (verdict.ok && verdict.kind !== "Command") return void parsed++;
    rejected.push(
      `${oneLine(statements[i])}\n    -> ${verdict.ok ? "accepted only as an opaque command" : verdict.error}`,
    );
  });
  return { version, parsed, forms, rejected };
}

Deno.test("every Teradata tool has representative arguments in the grammar test", async () => {
  const { db } = teradata();
  await using c = await connectCatalog(db);
  const { tools } = await c.client.listTools();
  assert.deepEqual(Object.keys(CALLS).sort(), tools.map((t) => t.name).sort());
  await db.close();
});

Deno.test({
  name: "teradata: every generated statement parses with sqlglot's Teradata grammar or is a listed form it lacks" +
    SKIPPED,
  ignore: PYTHON === undefined,
  async fn() {
    const statements = new Set<string>();
    for (const world of WORLDS) {
      const got = await collect(world);
      got.statements.forEach((sql) => statements.add(sql));
      if (world === "table") assert.deepEqual(got.failures, [], "every call succeeds on a table");
    }
    const all = [...statements];
    const result = await check(PYTHON!, all);
    const summary = `${all.length} statements, ${result.parsed} parsed by sqlglot ${result.version}; forms set aside: ${
      JSON.stringify(Object.fromEntries(result.forms))
    }`;
    assert.deepEqual(result.rejected, [], `${summary}\nsqlglot rejects:\n${result.rejected.join("\n")}`);
    const unused = SQLGLOT_LACKS.filter((f) => !f.optional && !result.forms.has(f.name)).map((f) => f.name);
    assert.deepEqual(unused, [], `every listed form is still sent (drop the ones that are not); ${summary}`);
  },
});

Deno.test({
  name: "the grammar check rejects broken Teradata SQL, also around the forms it sets aside" + SKIPPED,
  ignore: PYTHON === undefined,
  async fn() {
    const broken = [
      "SELECT a FROM t WHERE",
      "LOCKING ROW FOR ACCESS SELECT a FROM t WHERE (b = 1",
      "SELECT TOP ? * FROM t",
      "SELECT TOP 5 FROM t",
      "SELECT CAST(? AS DATE FORMAT 'YYYY-MM-DD' FROM t",
      "SELECT a, FROM t ORDER BY a",
      "SELECT a FROM (SELECT a FROM t)",
      "SELECT a FROM (SELECT a FROM t ORDER BY a) d",
      "SELECT a FROM t WHERE a IN (SELECT b FROM u ORDER BY b)",
      "HELP COLUMN sales.orders",
      "SET QUERY_BAND = 'a=b' FOR SESSION VOLATILE",
      'SHOW TABLE "sales"."orders"; DROP TABLE x',
    ];
    const result = await check(PYTHON!, broken);
    assert.equal(
      result.rejected.length,
      broken.length,
      `accepted: ${broken.filter((b) => !result.rejected.some((r) => r.startsWith(b)))}`,
    );
  },
});
