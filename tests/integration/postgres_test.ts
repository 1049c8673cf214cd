import { demoPostgresUri, PG_DEMO_SCHEMA, testDatabase } from "../_helpers.ts";
import { toolSuite } from "./_suite.ts";

toolSuite({
  label: "postgres",
  database: PG_DEMO_SCHEMA,
  bigTable: `${PG_DEMO_SCHEMA}.big`,
  open: async () => {
    const uri = await demoPostgresUri();
    return uri === undefined ? undefined : testDatabase(uri);
  },
});
