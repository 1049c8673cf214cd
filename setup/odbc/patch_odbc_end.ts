/**
 * Patch 8 of the npm:odbc addon (see patch_odbc.ts): an `endSql` query
 * option. When a cursor query's result ends in its first fetch (`firstFetch`,
 * patch 3: a point query), the worker that executed it runs `endSql` on a
 * fresh statement right after freeing the first one, with the same query
 * timeout (psqlODBC would otherwise send `SET statement_timeout` twice), and
 * drains every result it gives. The cursor object then carries
 * `endSql: "ok"` or `"failed"`; without the property (a result that did not
 * end, a failed query) the caller ends the call itself.
 *
 * tdmcp ends every PostgreSQL read with `ROLLBACK; ...` (connection/session.ts):
 * run from JavaScript, that is one more trip to the thread pool and a result
 * object built for nothing on every point query.
 * @module
 */
import type { Patch } from "./patch_files.ts";

const OPTION_ORIGINAL = `  static constexpr const char* FIRST_FETCH_PROPERTY = "firstFetch";
`;

const OPTION_PATCHED = `  static constexpr const char* FIRST_FETCH_PROPERTY = "firstFetch";
  // tdmcp patch 8: .endSql runs after a result that ended in its first fetch.
  std::basic_string<SQLTCHAR> end_sql;
  static constexpr const char* END_SQL_PROPERTY = "endSql";
`;

const PARSE_ORIGINAL = `    *targets[k] = (SQLULEN)size_value.As<Napi::Number>().Int64Value();
  }
`;

const PARSE_PATCHED = `    *targets[k] = (SQLULEN)size_value.As<Napi::Number>().Int64Value();
  }
  // tdmcp patch 8: .endSql
  if (options_object.HasOwnProperty(QueryOptions::END_SQL_PROPERTY)) {
    Napi::Value end_value = options_object.Get(QueryOptions::END_SQL_PROPERTY);
    if (!end_value.IsString()) {
      return Napi::TypeError::New(
               env, "Connection.query options: .endSql must be a string."
      )
        .Value();
    }
    SQLTCHAR* end_text = ODBC::NapiStringToSQLTCHAR(end_value.As<Napi::String>());
    query_options->end_sql = std::basic_string<SQLTCHAR>(end_text);
    delete[] end_text;
  }
`;

const HELPER_ORIGINAL = `// object keys for the result object
`;

const HELPER_PATCHED = `// tdmcp patch 8: runs a call's closing statement on a fresh statement handle
// and drains its results; true when every part of it ran.
static bool tdmcp_run_end_sql(
  SQLHDBC hdbc, const std::basic_string<SQLTCHAR>& sql, SQLULEN timeout
) {
  SQLHSTMT hstmt = SQL_NULL_HANDLE;
  uv_mutex_lock(&ODBC::g_odbcMutex);
  SQLRETURN rc = hdbc == SQL_NULL_HANDLE
    ? SQL_ERROR
    : SQLAllocHandle(SQL_HANDLE_STMT, hdbc, &hstmt);
  uv_mutex_unlock(&ODBC::g_odbcMutex);
  if (!SQL_SUCCEEDED(rc)) return false;
  if (timeout > 0) {
    SQLSetStmtAttr(hstmt, SQL_ATTR_QUERY_TIMEOUT, (SQLPOINTER)timeout, SQL_IS_UINTEGER);
  }
  rc = SQLExecDirect(hstmt, (SQLTCHAR*)sql.c_str(), SQL_NTS);
  bool ok = SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA;
  while (ok) {
    rc = SQLMoreResults(hstmt);
    if (rc == SQL_NO_DATA) break;
    ok = SQL_SUCCEEDED(rc);
  }
  uv_mutex_lock(&ODBC::g_odbcMutex);
  SQLFreeHandle(SQL_HANDLE_STMT, hstmt);
  uv_mutex_unlock(&ODBC::g_odbcMutex);
  return ok;
}

// object keys for the result object
`;

const RUN_ORIGINAL = `            data->hstmt = SQL_NULL_HANDLE;
            uv_mutex_unlock(&ODBC::g_odbcMutex);
          }
        }
`;

const RUN_PATCHED = `            data->hstmt = SQL_NULL_HANDLE;
            uv_mutex_unlock(&ODBC::g_odbcMutex);
            // tdmcp patch 8: end the call here, in the same worker.
            if (!data->query_options.end_sql.empty()) {
              end_sql_state = tdmcp_run_end_sql(
                odbcConnectionObject->hDBC, data->query_options.end_sql,
                data->query_options.timeout
              ) ? 1 : 2;
            }
          }
        }
`;

const STATE_ORIGINAL = `  bool first_fetched = false;
`;

const STATE_PATCHED = `  bool first_fetched = false;
  // tdmcp patch 8: 0 = .endSql not run here, 1 = it ran, 2 = it failed.
  int end_sql_state = 0;
`;

const REPORT_ORIGINAL = `          "firstBatch", process_data_for_napi(env, data, napiParameters.Value())
        );
      }
`;

const REPORT_PATCHED = `          "firstBatch", process_data_for_napi(env, data, napiParameters.Value())
        );
      }
      if (end_sql_state != 0) {
        cursorObject.As<Napi::Object>().Set(
          "endSql", Napi::String::New(env, end_sql_state == 1 ? "ok" : "failed")
        );
      }
`;

/** Patch 8, in the order it applies (after patches 3 and 4, whose text it extends). */
export const END_SQL_PATCHES: (Patch & { file: string })[] = [
  { file: "src/odbc.h", original: OPTION_ORIGINAL, patched: OPTION_PATCHED },
  { file: "src/odbc_connection.cpp", original: HELPER_ORIGINAL, patched: HELPER_PATCHED },
  { file: "src/odbc_connection.cpp", original: PARSE_ORIGINAL, patched: PARSE_PATCHED },
  { file: "src/odbc_connection.cpp", original: RUN_ORIGINAL, patched: RUN_PATCHED },
  { file: "src/odbc_connection.cpp", original: STATE_ORIGINAL, patched: STATE_PATCHED },
  { file: "src/odbc_connection.cpp", original: REPORT_ORIGINAL, patched: REPORT_PATCHED },
];
