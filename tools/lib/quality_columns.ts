/**
 * The column catalog for the data-quality tools: the columns of one table
 * with their types per dialect (which are numeric, which can be grouped).
 * The paged listing of many tables' columns is in ./_column_pages.ts.
 * @module
 */
import { ToolInputError } from "../../plugin/errors.ts";
import type { Cell } from "../../connection/types.ts";
import { defaultDatabase, quoteIdent, type TableRef } from "./sql.ts";
import { helpViewColumns, TYPE_FIELDS, typeAt } from "./teradata_columns.ts";
import { TERADATA_NUMERIC_CODES } from "./teradata_types.ts";
import type { ToolContext } from "../../plugin/tool.ts";

/** A column as the quality tools need it. */
export interface ColumnInfo {
  name: string;
  /** Type name from the catalog; null when the catalog has none (Teradata view columns without HELP COLUMN). */
  type: string | null;
  /** Whether SUM, comparisons with 0 and standard deviations apply. */
  numeric: boolean;
  /** Whether the values can be grouped and counted distinct (not LOBs, JSON, XML, geometry). */
  comparable: boolean;
}

const TERADATA_UNCOMPARABLE = new Set(["CO", "BO", "JN", "XM", "UT", "A1", "AN", "++"]);
const POSTGRES_NUMERIC = new Set(["smallint", "integer", "bigint", "numeric", "real", "double precision"]);
const POSTGRES_UNCOMPARABLE = new Set(["json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle"]);
/** ODBC SQL type codes: TINYINT, BIGINT, NUMERIC, DECIMAL, INTEGER, SMALLINT, FLOAT, REAL, DOUBLE. */
const ODBC_NUMERIC = new Set([-6, -5, 2, 3, 4, 5, 6, 7, 8]);
/** ODBC long types: LONGVARCHAR, LONGVARBINARY, WLONGVARCHAR. */
const ODBC_UNCOMPARABLE = new Set([-1, -4, -10]);

/** The columns of a table in order, typed from the catalog; empty when the table does not exist. */
export async function tableColumns(ctx: ToolContext, ref: TableRef): Promise<ColumnInfo[]> {
  const options = { maxRows: 5_000, signal: ctx.signal };
  const params = [ref.table, ...(ref.database === null ? [] : [ref.database])];
  switch (ctx.dialect) {
    case "teradata": {
      // DBC.ColumnsVX: ColumnName, the type fields (ColumnType is NULL for view columns), ColumnId.
      const result = await ctx.db.query(
        `SELECT ColumnName, ${TYPE_FIELDS} FROM DBC.ColumnsVX WHERE TableName = ? AND DatabaseName = ${
          ref.database === null ? "DATABASE" : "?"
        } ORDER BY ColumnId`,
        { ...options, params },
      );
      const columns = result.rows.map((row) =>
        teradataColumn(String(row[0]).trim(), row[1], row[1] === null ? null : typeAt(row, 1))
      );
      if (columns.some((c) => c.type === null)) await typeViewColumns(ctx, ref, columns);
      return columns;
    }
    case "postgres": {
      const result = await ctx.db.query(
        `SELECT column_name, CASE WHEN data_type IN ('USER-DEFINED', 'ARRAY') THEN udt_name ELSE data_type END
FROM information_schema.columns WHERE table_name = ? AND table_schema = ${
          ref.database === null ? "current_schema()" : "?"
        } ORDER BY ordinal_position`,
        { ...options, params },
      );
      return result.rows.map(([name, type]) => ({
        name: String(name),
        type: String(type),
        numeric: POSTGRES_NUMERIC.has(String(type)),
        comparable: !POSTGRES_UNCOMPARABLE.has(String(type)),
      }));
    }
    case "sqlite": {
      const schema = quoteIdent(ref.database ?? defaultDatabase("sqlite")!, "sqlite");
      const result = await ctx.db.query(`SELECT name, type FROM ${schema}.pragma_table_info(?) ORDER BY cid`, {
        ...options,
        params: [ref.table],
      });
      // Declared types decide: INT, REAL, FLOAT, DOUBLE, NUMERIC, DECIMAL (not DATE, which has NUMERIC affinity).
      return result.rows.map(([name, type]) => ({
        name: String(name),
        type: String(type ?? ""),
        numeric: /INT|REAL|FLOA|DOUB|NUM|DEC/i.test(String(type ?? "")),
        comparable: true,
      }));
    }
    default: { // generic, and any engine without SQL of its own here: ODBC catalog calls
      const result = await ctx.db.odbcColumns(ref.database, ref.table);
      const at = (name: string) => result.columns.findIndex((c) => c.name.toUpperCase() === name);
      const [name, code, type] = [at("COLUMN_NAME"), at("DATA_TYPE"), at("TYPE_NAME")];
      return result.rows.map((row) => ({
        name: String(row[name]),
        type: row[type] === null ? null : String(row[type]),
        numeric: ODBC_NUMERIC.has(Number(row[code])),
        comparable: !ODBC_UNCOMPARABLE.has(Number(row[code])),
      }));
    }
  }
}

function teradataColumn(name: string, code: Cell, type: string | null): ColumnInfo {
  const trimmed = code === null ? "" : String(code).trim();
  return {
    name,
    type,
    numeric: TERADATA_NUMERIC_CODES.has(trimmed),
    comparable: !TERADATA_UNCOMPARABLE.has(trimmed),
  };
}

/**
 * DBC.ColumnsVX has no types for view columns: HELP COLUMN has them. When HELP COLUMN fails (a broken view, no
 * SELECT right), the types stay unknown and the database judges each statement, as for any untyped column.
 */
async function typeViewColumns(ctx: ToolContext, ref: TableRef, columns: ColumnInfo[]): Promise<void> {
  const help = await helpViewColumns(ctx, ref);
  if (!help.ok) return;
  columns.forEach((column, i) => {
    const found = column.type === null ? help.columns.get(column.name.toUpperCase()) : undefined;
    if (found) columns[i] = teradataColumn(column.name, found.code, found.type);
  });
}

/** Finds a column by name (exact, else case-insensitive); a RangeError listing the columns otherwise. */
export function findColumn(columns: readonly ColumnInfo[], name: string, table: string): ColumnInfo {
  const found = columns.find((c) => c.name === name) ??
    columns.find((c) => c.name.toLowerCase() === name.trim().toLowerCase());
  if (found) return found;
  const list = columns.map((c) => c.name).slice(0, 50).join(", ");
  throw new ToolInputError(`no column \`${name}\` in \`${table}\`; its columns are: ${list}`);
}

/** The named columns (each found as by {@link findColumn}, duplicates dropped), or all of them when none is named. */
export function pickColumns(columns: readonly ColumnInfo[], names: readonly string[] | undefined, table: string) {
  if (!names || names.length === 0) return [...columns];
  return [...new Set(names.map((name) => findColumn(columns, name, table)))];
}

/** Checks that a column holds numbers (columns of unknown type are let through for the database to judge). */
export function requireNumeric(column: ColumnInfo): ColumnInfo {
  if (column.type !== null && !column.numeric) {
    throw new ToolInputError(`column \`${column.name}\` is ${column.type}, not numeric; pick a numeric column`);
  }
  return column;
}
