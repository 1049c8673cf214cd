import { z } from "zod";
import { definePrompt, DIALECTS, ResourceNotFoundError, ToolInputError } from "tdmcp/plugin";
import { readTableSchema, type TableSchema } from "../lib/schema.ts";
import { completeDatabases, completeTables, defaultDatabaseName, schemaUri } from "../lib/schema_catalog.ts";
import { checkIdentifier, tableRef } from "../lib/sql.ts";

/** Most column names listed per group in the prompt text. */
const NAMES_SHOWN = 40;

const NUMERIC = /int|dec|num|real|float|double|money|serial/i;
const TEXT = /char|text|string|enum/i;

function columnsOf(schema: TableSchema, pattern: RegExp): string {
  const names = schema.columns.filter((c) => c.type !== null && pattern.test(c.type)).map((c) => c.name);
  if (names.length === 0) return "none";
  const shown = names.slice(0, NAMES_SHOWN).join(", ");
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/** A data-quality profile of one table with the qlty_* tools, its schema attached. */
export default definePrompt({
  name: "profile_table_quality",
  title: "Profile a table's data quality",
  description:
    `Profile the data quality of one table: missing values, distinct categories, numeric distributions, outliers and
duplicate rows, with the qlty_* tools in order. The table's schema (schema://{database}/{table}) is embedded in the
prompt, so the agent knows its columns and types before the first call.`,
  arguments: {
    table: z.string().min(1).describe("Table or view to profile, or 'database.table'"),
    database: z.string().optional().describe("Database (schema) holding the table; default: the current one"),
  },
  complete: {
    table: async (prefix, ctx, args) =>
      completeTables(
        ctx,
        args.database ? checkIdentifier(args.database, "database") : await defaultDatabaseName(ctx),
        prefix,
      ),
    database: (prefix, ctx) => completeDatabases(ctx, prefix),
  },
  dialects: DIALECTS,
  async get({ table, database }, ctx) {
    const ref = tableRef(table, database);
    let schema: TableSchema;
    try {
      schema = await readTableSchema(ctx, ref.database ?? await defaultDatabaseName(ctx), ref.table);
    } catch (error) {
      // A wrong argument, not a missing resource: the client sees "Invalid argument: no table ...; similar: ...".
      if (error instanceof ResourceNotFoundError) throw new ToolInputError(error.message);
      throw error;
    }
    const args = `table_name = "${schema.table}", database_name = "${schema.database}"`;
    const estimate = schema.row_count_estimate === null ? "" : ` (about ${schema.row_count_estimate} rows)`;
    const steps = [
      `Profile the data quality of \`${schema.database}\`.\`${schema.table}\`${estimate}; its schema is attached above.` +
      ` Call each tool with ${args}:`,
      "1. qlty_columnSummary — every column's type, non-null, null and distinct counts: the overview.",
      "2. qlty_missingValues — NULLs per column with their share of rows; note columns that should never be empty.",
      `3. qlty_distinctCategories(column_name) — value frequencies of the low-cardinality text columns (text columns: ${
        columnsOf(schema, TEXT)
      }); look for misspellings, case variants and placeholder values.`,
      `4. qlty_univariateStatistics(column_name) — min, max, mean, standard deviation and quartiles of the numeric columns (${
        columnsOf(schema, NUMERIC)
      }); look for impossible ranges.`,
      "5. qlty_outliers(column_name) — values far from the mean in the numeric columns that looked suspicious.",
      `6. qlty_duplicateRows — fully duplicated rows${
        schema.primary_key ? `, and duplicates of the primary key (${schema.primary_key.join(", ")})` : ""
      }.`,
      "Then report: a table of the columns with issues (what, how many rows, an example value), the duplicates," +
      " and what to check or fix next. Use base_readQuery with aggregates for any follow-up question.",
    ];
    return [
      {
        role: "user",
        content: {
          type: "resource",
          resource: {
            uri: schemaUri(schema.database, schema.table),
            mimeType: "application/json",
            text: JSON.stringify(schema, null, 2),
          },
        },
      },
      { role: "user", content: { type: "text", text: steps.join("\n") } },
    ];
  },
});
