import { demoSqlitePath, testDatabase } from "../_helpers.ts";
import { toolSuite } from "./_suite.ts";

toolSuite({
  label: "sqlite",
  database: "main",
  bigTable: "main.big",
  open: async () => testDatabase(`sqlite://${await demoSqlitePath()}`),
});
