/**
 * Patch 6 of the npm:odbc addon (see patch_odbc.ts): right after connecting,
 * the addon reads `SQLGetInfo` `SQL_DBMS_NAME`, `SQL_DBMS_VER` and
 * `SQL_DRIVER_NAME` (an empty string when the driver lacks one) into
 * read-only properties of the native connection, and `Connection`
 * (lib/Connection.js) exposes them as `dbmsName`, `dbmsVersion` and
 * `driverName` ('' after close).
 * @module
 */
import type { Patch } from "./patch_files.ts";

const INFO_MEMBERS_ORIGINAL = `  GetInfoResults get_info_results;
`;

const INFO_MEMBERS_PATCHED = `  GetInfoResults get_info_results;
  // tdmcp patch: SQL_DBMS_NAME, SQL_DBMS_VER, SQL_DRIVER_NAME (see Execute).
  SQLTCHAR info_texts[3][256];
  SQLSMALLINT info_lengths[3] = { 0, 0, 0 };
`;

const INFO_READ_ORIGINAL = `        (bool)(sql_getdata_extensions_bitmask & SQL_GD_OUTPUT_PARAMS);
    }
  }
`;

const INFO_READ_PATCHED = `        (bool)(sql_getdata_extensions_bitmask & SQL_GD_OUTPUT_PARAMS);
    }

    // tdmcp patch: what the connection reaches; a driver that lacks one
    // (an error, or no text) leaves it empty.
    SQLUSMALLINT info_kinds[3] = { SQL_DBMS_NAME, SQL_DBMS_VER, SQL_DRIVER_NAME };
    for (int k = 0; k < 3; k++) {
      SQLSMALLINT length = 0;
      return_code = SQLGetInfo(
        hDBC, info_kinds[k], info_texts[k], sizeof(info_texts[k]), &length
      );
      if (SQL_SUCCEEDED(return_code) && length > 0) {
        SQLSMALLINT chars = length / sizeof(SQLTCHAR);
        info_lengths[k] = chars < 255 ? chars : 255;
      }
    }
  }
`;

const INFO_SET_ORIGINAL = `    Napi::Value connection =
      ODBCConnection::constructor.New(connectionArguments);
`;

const INFO_SET_PATCHED = `    Napi::Value connection =
      ODBCConnection::constructor.New(connectionArguments);
    // tdmcp patch: read-only dbmsName, dbmsVersion and driverName.
    const char* info_names[3] = { "dbmsName", "dbmsVersion", "driverName" };
    for (int k = 0; k < 3; k++) {
#ifdef UNICODE
      Napi::String text = Napi::String::New(
        env, (const char16_t*)info_texts[k], info_lengths[k]
      );
#else
      Napi::String text =
        Napi::String::New(env, (const char*)info_texts[k], info_lengths[k]);
#endif
      connection.As<Napi::Object>().DefineProperty(
        Napi::PropertyDescriptor::Value(info_names[k], text, napi_enumerable)
      );
    }
`;

const INFO_GETTERS_ORIGINAL = `  get autocommit() {
`;

const INFO_GETTERS_PATCHED = `  // tdmcp patch: what the connection reaches (SQLGetInfo at connect; '' when unknown).
  get dbmsName() { return (this.odbcConnection && this.odbcConnection.dbmsName) || ''; }

  get dbmsVersion() { return (this.odbcConnection && this.odbcConnection.dbmsVersion) || ''; }

  get driverName() { return (this.odbcConnection && this.odbcConnection.driverName) || ''; }

  get autocommit() {
`;

/** Patch 6, file by file. */
export const INFO_PATCHES: readonly (Patch & { file: string })[] = [
  { file: "src/odbc.cpp", original: INFO_MEMBERS_ORIGINAL, patched: INFO_MEMBERS_PATCHED },
  { file: "src/odbc.cpp", original: INFO_READ_ORIGINAL, patched: INFO_READ_PATCHED },
  { file: "src/odbc.cpp", original: INFO_SET_ORIGINAL, patched: INFO_SET_PATCHED },
  { file: "lib/Connection.js", original: INFO_GETTERS_ORIGINAL, patched: INFO_GETTERS_PATCHED },
];
