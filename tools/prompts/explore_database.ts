import { z } from "zod";
import { definePrompt, DIALECTS, type PromptMessage } from "tdmcp/plugin";
import { listTables } from "../lib/catalog.ts";
import { catalogContext, completeDatabases, kindName, text } from "../lib/schema_catalog.ts";
import { checkIdentifier } from "../lib/sql.ts";

/** Most tables named in the prompt text. */
const TABLES_SHOWN = 200;

const ROW_LIMIT_HINT = {
  teradata: "SELECT TOP n (or SAMPLE n)",
  postgres: "LIMIT n",
  sqlite: "LIMIT n",
  generic: "the engine's row limit syntax",
} as const;

/** A guided tour of a database with the base tools, starting from its table list. */
export default definePrompt({
  name: "explore_database",
  title: "Explore a database",
  description:
    `Start exploring a database: the steps and tools to learn its tables and answer questions with read-only SQL
(base_databaseList, base_tableList, base_columnDescription, base_tablePreview, base_readQuery), with the first
${TABLES_SHOWN} tables of the database listed in the prompt.`,
  arguments: {
    database: z.string().optional().describe(
      "Database (Teradata database, PostgreSQL schema, SQLite database) to explore; default: the current one",
    ),
  },
  complete: { database: (prefix, ctx) => completeDatabases(ctx, prefix) },
  dialects: DIALECTS,
  async get({ database }, ctx) {
    const name = database?.trim() ? checkIdentifier(database.trim(), "database") : null;
    const where = name === null ? "the current database" : `\`${name}\``;
    const steps = [
      `Explore ${where} of this ${ctx.dialect} database and answer my questions about its data. Work in this order:`,
      name === null
        ? "1. base_databaseList — the databases (schemas) you can see; pick the one that holds the data."
        : `1. base_databaseList — only if the tables you need are not in \`${name}\`.`,
      `2. base_tableList(database_name${name === null ? "" : ` = "${name}"`}) — its tables and views` +
      " (name_filter narrows them with a LIKE pattern such as '%order%').",
      "3. base_columnDescription(table_name, database_name) — columns, types and nullability of each table you use" +
      " (the resource schema://{database}/{table} holds the same as JSON, with the primary key).",
      "4. base_tablePreview(table_name, database_name, rows) — a few rows, to see what the values look like.",
      `5. base_readQuery(sql) — one read-only statement at a time. Results are capped at ${ctx.limits.defaultRows}` +
      ` rows by default, so prefer aggregates (COUNT, SUM, AVG, GROUP BY) over raw rows and use ${
        ROW_LIMIT_HINT[ctx.dialect as keyof typeof ROW_LIMIT_HINT] ?? ROW_LIMIT_HINT.generic
      } when you need examples.`,
      "Join tables on the keys the column descriptions suggest, check row counts before trusting a join, and show" +
      " the SQL behind every number you report.",
    ];
    const messages: PromptMessage[] = [{ role: "user", content: { type: "text", text: steps.join("\n") } }];
    const tables = await listTables(catalogContext(ctx), name, null, TABLES_SHOWN);
    const nameAt = tables.columns.findIndex((c) => /^table_name$/i.test(c.name));
    const kindAt = tables.columns.findIndex((c) => /^(kind|table_type)$/i.test(c.name));
    const lines = tables.rows.map((r) =>
      `- ${text(r[nameAt < 0 ? 1 : nameAt])}${
        kindAt < 0 || r[kindAt] === null ? "" : ` (${kindName(text(r[kindAt]))})`
      }`
    );
    const more = tables.truncated ? ` (the first ${tables.rowCount}; more exist — use base_tableList)` : "";
    messages.push({
      role: "user",
      content: {
        type: "text",
        text: lines.length === 0
          ? `${where} has no tables or views I can see; start with base_databaseList.`
          : `Tables and views in ${where}${more}:\n${lines.join("\n")}`,
      },
    });
    return messages;
  },
});
