/**
 * Patches and rebuilds the npm:odbc addon (2.6.0) after `deno install`.
 *
 * 1. Cursor close: the addon left the statement handle allocated when
 *    `SQLCloseCursor` failed (a lost connection); a garbage-collection
 *    finalizer then freed it after tdmcp had closed the connection — a double
 *    free that crashed the process (SIGSEGV) in the fault-injection tests —
 *    and it released an N-API reference off the JavaScript thread (the V8
 *    "Check failed: node->IsInUse()" abort). The patch frees the handle in the
 *    close worker under the driver lock, whether or not the close worked.
 * 2. A cursor's fetch was not registered as an active statement, so
 *    `connection.cancel()` (SQLCancel) could not reach it: with the SQLite
 *    driver's StepAPI the whole query runs inside the first fetch.
 * 3. `firstFetch` query option (speed): the first fetch runs in the execute's
 *    worker and comes back with the cursor (`odbcCursor.firstBatch`); when the
 *    result ended in it, the statement is freed there too and `close()`
 *    answers at once. A point query costs one thread hop instead of three.
 * 4. `maxBoundChars` and `maxBoundBytes` query options (memory): text
 *    columns are bound no wider than `maxBoundChars` characters, and a fetch
 *    takes fewer rows (never fewer than 2) when its bound buffers would pass
 *    `maxBoundBytes`; text buffers are no longer zeroed. Drivers report TEXT
 *    as 65,536 (SQLite) or 8,190 (psqlODBC) characters and the addon bound
 *    fetchSize × 4 bytes per character per column: 26 MB per SQLite TEXT
 *    column at 100 rows, kept by the allocator afterwards. Longer values
 *    arrive cut at the bound width (the driver's 01004 truncation), which
 *    tdmcp marks as cut cells anyway.
 * 5. A cursor query that failed (or whose cursor was never made) freed
 *    neither its statement handle nor its buffers: the worker now frees both.
 * 6. What a connection reaches: right after connecting, the addon reads
 *    `SQLGetInfo` `SQL_DBMS_NAME`, `SQL_DBMS_VER` and `SQL_DRIVER_NAME` (an
 *    empty string when the driver lacks one) into read-only properties of the
 *    native connection, and `Connection` (lib/Connection.js) exposes them as
 *    `dbmsName`, `dbmsVersion` and `driverName`.
 * 7. Cell budgets while fetching, and every cut reported (`cutCells` on a
 *    batch): see patch_odbc_cells.ts. Patch 4's text widths come from its
 *    `tdmcp_bound_chars`, and its row-by-indicator copies replace the old
 *    wide-text stride fix.
 * 8. `endSql` query option (speed): a point query's closing statement
 *    (PostgreSQL's `ROLLBACK; ...`) runs in the worker that executed it: see
 *    patch_odbc_end.ts.
 *
 * Idempotent: a marker file records the patched build, and the sources are
 * always patched from their pristine text (`*.orig`, see patch_files.ts).
 * Run by `deno task setup`.
 * @module
 */
import { createRequire } from "node:module";
import { type Patch, patchFile } from "./patch_files.ts";
import {
  BINARY_WIDTHS,
  budgetFetches,
  CELL_CUT_FLAG,
  CELL_FETCH_ROWS,
  CELL_HELPERS,
  CELL_LIST_ADD,
  CELL_LIST_SET,
  CELL_LIST_START,
  CELL_ONE_ROW,
  COLUMN_OWNED,
  COLUMNS_FREED,
} from "./patch_odbc_cells.ts";
import { END_SQL_PATCHES } from "./patch_odbc_end.ts";
import { INFO_PATCHES } from "./patch_odbc_info.ts";

/** Marks a package folder whose addon was rebuilt with these patches. */
export const MARKER = ".tdmcp-odbc-patches-8";

const ORIGINAL = `    return_code = SQLCloseCursor(data->hstmt);

    if (!SQL_SUCCEEDED(return_code)) {
      this->errors = GetODBCErrors(SQL_HANDLE_STMT, data->hstmt);
      SetError("[odbc] Error closing the cursor!\\0");
      return;
    }

    if (odbcCursor->free_statement_on_close) {
      return_code = odbcCursor->Free();
      if (!SQL_SUCCEEDED(return_code)) {
        this->errors = GetODBCErrors(SQL_HANDLE_STMT, data->hstmt);
        SetError("[odbc] Error closing the Statement\\0");
        return;
      }
    }
    else {
      if (data != NULL) {
        data->deleteColumns();
      }
    }`;

const PATCHED = `    return_code = SQLCloseCursor(data->hstmt);
    // tdmcp patch: free the statement handle even when the close failed (a
    // lost connection) so no finalizer frees it after the connection is gone,
    // and touch no N-API reference here (this runs off the JavaScript thread).
    bool close_failed = !SQL_SUCCEEDED(return_code);
    if (close_failed) {
      this->errors = GetODBCErrors(SQL_HANDLE_STMT, data->hstmt);
    }

    if (odbcCursor->free_statement_on_close) {
      SQLRETURN free_code = SQL_SUCCESS;
      uv_mutex_lock(&ODBC::g_odbcMutex);
      if (data->hstmt != SQL_NULL_HANDLE) {
        free_code = SQLFreeHandle(SQL_HANDLE_STMT, data->hstmt);
        data->hstmt = SQL_NULL_HANDLE;
      }
      uv_mutex_unlock(&ODBC::g_odbcMutex);
      if (!close_failed && !SQL_SUCCEEDED(free_code)) {
        SetError("[odbc] Error closing the Statement\\0");
        return;
      }
    }
    if (close_failed) {
      SetError("[odbc] Error closing the cursor!\\0");
      return;
    }
    if (data != NULL) {
      data->deleteColumns();
    }`;

const FETCH_ORIGINAL = `    return_code = fetch_and_store(data, true, &alloc_error);
`;

const FETCH_PATCHED = `    // tdmcp patch: let connection.cancel() (SQLCancel) reach a running fetch.
    cursor->odbcConnection->RegisterActiveStatement(data->hstmt);
    return_code = tdmcp_fetch_rows(data, true, &alloc_error);
    cursor->odbcConnection->UnregisterActiveStatement(data->hstmt);
`;

const OPTIONS_ORIGINAL = `  SQLLEN initial_long_data_buffer_size = MB_SIZE;

  // JavaScript property keys for query options
`;

const OPTIONS_PATCHED = `  SQLLEN initial_long_data_buffer_size = MB_SIZE;
  // tdmcp patch: see parse_query_options
  bool first_fetch = false;
  SQLULEN max_bound_chars = 0;
  SQLULEN max_bound_bytes = 0;
  // tdmcp patch 7: rows per fetch call when the driver fetches one-row rowsets
  SQLULEN rows_per_fetch = 0;
  static constexpr const char* FIRST_FETCH_PROPERTY = "firstFetch";
  static constexpr const char* MAX_BOUND_CHARS_PROPERTY = "maxBoundChars";
  static constexpr const char* MAX_BOUND_BYTES_PROPERTY = "maxBoundBytes";

  // JavaScript property keys for query options
`;

const PARSE_ORIGINAL = `  // END .initialBufferSize
`;

const PARSE_PATCHED = `  // END .initialBufferSize

  // tdmcp patch: .firstFetch (the first fetch runs with the execute),
  // .maxBoundChars (text columns are bound no wider than this) and
  // .maxBoundBytes (fewer rows per fetch when a row's buffers are wide).
  if (options_object.HasOwnProperty(QueryOptions::FIRST_FETCH_PROPERTY)) {
    query_options->first_fetch =
      options_object.Get(QueryOptions::FIRST_FETCH_PROPERTY).ToBoolean().Value();
  }
  const char* sizes[] = {
    QueryOptions::MAX_BOUND_CHARS_PROPERTY, QueryOptions::MAX_BOUND_BYTES_PROPERTY
  };
  SQLULEN* targets[] = {
    &query_options->max_bound_chars, &query_options->max_bound_bytes
  };
  for (int k = 0; k < 2; k++) {
    if (!options_object.HasOwnProperty(sizes[k])) continue;
    Napi::Value size_value = options_object.Get(sizes[k]);
    if (!size_value.IsNumber() || size_value.As<Napi::Number>().Int64Value() < 0) {
      return Napi::TypeError::New(
               env, std::string("Connection.query options: .") + sizes[k] +
                      " must be a number >= 0."
      )
        .Value();
    }
    *targets[k] = (SQLULEN)size_value.As<Napi::Number>().Int64Value();
  }
`;

const FIRST_FETCH_ORIGINAL = `              "[odbc] Error retrieving the result set from the statement\\0"
            );
            return;
          }
        }
`;

const FIRST_FETCH_PATCHED = `              "[odbc] Error retrieving the result set from the statement\\0"
            );
            return;
          }
        }
        // tdmcp patch: the first fetch rides with the execute (one thread hop
        // instead of two); a result that ended in it frees its statement here.
        else if (data->query_options.first_fetch) {
          bool alloc_error = false;
          return_code = tdmcp_fetch_rows(data, true, &alloc_error);
          if (alloc_error) {
            SetError(
              "[odbc] Error allocating or reallocating memory when fetching "
              "data. No ODBC error information available.\\0"
            );
            return;
          }
          if (!SQL_SUCCEEDED(return_code) && return_code != SQL_NO_DATA) {
            this->errors = GetODBCErrors(SQL_HANDLE_STMT, data->hstmt);
            SetError("[odbc] Error fetching results with SQLFetch\\0");
            return;
          }
          first_fetched = true;
          if (data->result_set_end_reached) {
            odbcConnectionObject->UnregisterActiveStatement(data->hstmt);
            uv_mutex_lock(&ODBC::g_odbcMutex);
            if (odbcConnectionObject->hDBC != SQL_NULL_HANDLE) {
              SQLFreeHandle(SQL_HANDLE_STMT, data->hstmt);
            }
            data->hstmt = SQL_NULL_HANDLE;
            uv_mutex_unlock(&ODBC::g_odbcMutex);
          }
        }
`;

const CURSOR_MADE_ORIGINAL = `      Napi::Value cursorObject = ODBCCursor::constructor.New(cursor_arguments);

      // return cursor
`;

const CURSOR_MADE_PATCHED = `      Napi::Value cursorObject = ODBCCursor::constructor.New(cursor_arguments);
      // tdmcp patch: the cursor owns the statement from here on; hand over the first batch.
      cursor_created = true;
      if (first_fetched) {
        cursorObject.As<Napi::Object>().Set(
          "firstBatch", process_data_for_napi(env, data, napiParameters.Value())
        );
      }

      // return cursor
`;

const WORKER_END_ORIGINAL = `  ~QueryAsyncWorker() {
    odbcConnectionObject->UnregisterActiveStatement(data->hstmt);
    if (!data->query_options.use_cursor) {
`;

const WORKER_END_PATCHED =
  `  // tdmcp patch: set once a cursor owns the statement; a failed cursor query frees it below.
  bool cursor_created = false;
  bool first_fetched = false;

  ~QueryAsyncWorker() {
    odbcConnectionObject->UnregisterActiveStatement(data->hstmt);
    if (!data->query_options.use_cursor || !cursor_created) {
`;

const CLOSE_ORIGINAL = `  CursorCloseAsyncWorker* worker = new CursorCloseAsyncWorker(this, callback);
`;

const CLOSE_PATCHED = `  // tdmcp patch: a statement already freed (its result ended in the first
  // fetch) closes at once, without a trip to the thread pool.
  if (this->data == NULL || this->data->hstmt == SQL_NULL_HANDLE) {
    if (this->data != NULL) {
      this->data->deleteColumns();
    }
    callback.Call({ env.Null() });
    return env.Undefined();
  }

  CursorCloseAsyncWorker* worker = new CursorCloseAsyncWorker(this, callback);
`;

const BUDGET_ORIGINAL = `  for (int i = 0; i < data->column_count; i++) {
    Column* column = new Column();
`;

const BUDGET_PATCHED = `  // tdmcp patch: .maxBoundBytes caps the bound buffers of one fetch: wide
  // rows (long text columns) are fetched fewer at a time, never fewer than 2
  // (at 1 the addon switches long columns to 1 MB SQLGetData buffers).
  if (data->query_options.max_bound_bytes > 0 && !data->simple_binding &&
      data->fetch_size > 2) {
    SQLULEN row_bytes = 0;
    for (int i = 0; i < data->column_count; i++) {
      SQLSMALLINT type, digits, nullable;
      SQLULEN size = 0;
      if (SQL_SUCCEEDED(SQLDescribeCol(
            data->hstmt, i + 1, NULL, 0, NULL, &type, &size, &digits, &nullable
          ))) {
        size = tdmcp_bound_chars(data, type, size);
        row_bytes += size * MAX_UTF8_BYTES + 1 + sizeof(SQLLEN);
      }
    }
    SQLULEN rows = row_bytes > 0 ? data->query_options.max_bound_bytes / row_bytes
                                 : data->fetch_size;
    if (rows < 2) {
      rows = 2;
    }
    if (rows < data->fetch_size &&
        SQL_SUCCEEDED(SQLSetStmtAttr(
          data->hstmt, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)rows, 0
        ))) {
      data->fetch_size = rows;
    }
  }

  for (int i = 0; i < data->column_count; i++) {
    Column* column = new Column();
`;

const BIND_START = `    // Assume that the column will be bound with SQLBindCol unless:
`;

const BIND_CAP = `    // tdmcp patch: text columns are bound no wider than .maxBoundChars, and
    // text buffers are not zeroed: the driver ends every value it writes
    // with a terminator, and only pages that receive data become resident.
    SQLULEN bound_chars =
      tdmcp_bound_chars(data, column->DataType, column->ColumnSize);

`;

const BIND_END = `    if (!column->is_long_data) {
      // SQLBindCol binds application data buffers to columns in the result set.
`;

const PATCHES: (Patch & { file: string })[] = [
  { file: "src/odbc_cursor.cpp", original: ORIGINAL, patched: PATCHED },
  { file: "src/odbc_cursor.cpp", original: FETCH_ORIGINAL, patched: FETCH_PATCHED },
  { file: "src/odbc_cursor.cpp", original: CLOSE_ORIGINAL, patched: CLOSE_PATCHED },
  { file: "src/odbc.h", original: OPTIONS_ORIGINAL, patched: OPTIONS_PATCHED },
  { file: "src/odbc_connection.cpp", original: PARSE_ORIGINAL, patched: PARSE_PATCHED },
  { file: "src/odbc_connection.cpp", original: FIRST_FETCH_ORIGINAL, patched: FIRST_FETCH_PATCHED },
  { file: "src/odbc_connection.cpp", original: CURSOR_MADE_ORIGINAL, patched: CURSOR_MADE_PATCHED },
  { file: "src/odbc_connection.cpp", original: WORKER_END_ORIGINAL, patched: WORKER_END_PATCHED },
  { file: "src/odbc_connection.cpp", original: BUDGET_ORIGINAL, patched: BUDGET_PATCHED },
  ...INFO_PATCHES,
  { file: "src/odbc.h", ...CELL_CUT_FLAG },
  { file: "src/odbc_connection.cpp", ...CELL_HELPERS },
  { file: "src/odbc_connection.cpp", ...CELL_LIST_START },
  { file: "src/odbc_connection.cpp", ...CELL_LIST_ADD },
  { file: "src/odbc_connection.cpp", ...CELL_LIST_SET },
  { file: "src/odbc_connection.cpp", ...CELL_ONE_ROW },
  { file: "src/odbc_connection.h", ...CELL_FETCH_ROWS },
  { file: "src/odbc.h", ...COLUMNS_FREED },
  { file: "src/odbc_connection.cpp", ...COLUMN_OWNED },
  ...END_SQL_PATCHES,
];

/** Patch 4 in `bind_buffers`: every text buffer size computed from `ColumnSize` uses the capped `bound_chars`. */
export function capBoundWidths(text: string, file: string): string {
  if (text.includes(BIND_CAP)) return text;
  const start = text.indexOf(BIND_START);
  const end = text.indexOf(BIND_END, start);
  if (start < 0 || end < 0 || text.indexOf(BIND_START, start + 1) >= 0) {
    throw new Error(`${file} does not contain the bind_buffers these patches were written for (odbc 2.6.0)`);
  }
  const region = text.slice(start, end);
  const capped = region
    .replaceAll("column->ColumnSize * MAX_UTF8_BYTES + 1", "bound_chars * MAX_UTF8_BYTES + 1")
    .replaceAll("column->ColumnSize + 1", "bound_chars + 1");
  const changed = capped.split("bound_chars").length - 1;
  if (changed !== 4) throw new Error(`${file}: expected 4 text buffer sizes in bind_buffers, found ${changed}`);
  const unzeroed = capped
    .replaceAll(
      "new SQLWCHAR[character_count * data->fetch_size]();",
      "new SQLWCHAR[character_count * data->fetch_size];",
    )
    .replaceAll(
      "new SQLCHAR[character_count * data->fetch_size]();",
      "new SQLCHAR[character_count * data->fetch_size];",
    );
  const kept = unzeroed.split("[character_count * data->fetch_size]()").length - 1;
  if (kept !== 0) throw new Error(`${file}: ${kept} text buffers in bind_buffers would still be zeroed`);
  let widened = unzeroed;
  for (const [original, patched] of BINARY_WIDTHS) {
    if (!widened.includes(original)) throw new Error(`${file}: a buffer in bind_buffers has changed`);
    widened = widened.replaceAll(original, patched);
  }
  return text.slice(0, start) + BIND_CAP + widened + text.slice(end);
}

/** Applies every patch to the package's sources under `root`, from their pristine text (see patchFile). */
export function patchSources(root: string): void {
  const files = [...new Set(PATCHES.map((p) => p.file))];
  for (const file of files) {
    patchFile(
      `${root}${file}`,
      PATCHES.filter((p) => p.file === file),
      file === "src/odbc_connection.cpp" ? (text, path) => budgetFetches(capBoundWidths(text, path), path) : undefined,
    );
  }
}

function say(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`[patch_odbc] ${text}\n`));
}

/** Applies the patch to the installed package and rebuilds the addon; returns what it did. */
export async function patchOdbc(): Promise<"already" | "patched"> {
  const require = createRequire(import.meta.url);
  const root = Deno.realPathSync(require.resolve("odbc/package.json")).slice(0, -"package.json".length);
  const marker = `${root}${MARKER}`;
  const addon = `${root}lib/bindings/napi-v8/odbc.node`;
  try {
    Deno.statSync(marker);
    Deno.statSync(addon);
    return "already";
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  patchSources(root);
  say(`rebuilding ${root} with the cursor patches (about 15 s)`);
  const build = await new Deno.Command("node-gyp", {
    args: ["rebuild", "--", "-Dnapi_build_version=8", "-Dmodule_name=odbc", "-Dmodule_path=lib/bindings/napi-v8"],
    cwd: root,
    env: { npm_config_nodedir: Deno.env.get("npm_config_nodedir") ?? "/usr" },
    // stdout may be a JSON-RPC channel (`deno task start` runs setup first): build output goes to stderr.
    stdout: "piped",
    stderr: "inherit",
  }).output();
  Deno.stderr.writeSync(build.stdout);
  if (!build.success) {
    throw new Error(`node-gyp rebuild failed (exit ${build.code}); node-gyp, g++ and unixodbc-dev are needed`);
  }
  Deno.writeTextFileSync(marker, "patched\n");
  return "patched";
}

if (import.meta.main) {
  say(`odbc addon: ${await patchOdbc()}`);
}
