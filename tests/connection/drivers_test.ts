import assert from "node:assert/strict";
import {
  chooseOdbcDriver,
  describeSearch,
  findTeradataDriver,
  odbcinstFiles,
  parseOdbcinst,
  pickTeradataDriver,
} from "../../connection/drivers.ts";
import { parseDatabaseUri } from "../../connection/uri.ts";

/** An odbcinst.ini as a Teradata install plus hand edits leave it: comments, spacing, an `[ODBC]` section, a typo. */
const FIXTURE = `[ODBC Drivers]
Teradata Database ODBC Driver 17.20=Installed

  [ Teradata Database ODBC Driver 9.00 ]
Driver=/opt/teradata/client/09.00/lib64/tdataodbc_sb64.so
;[Teradata Database ODBC Driver 99.00]
# [Teradata Database ODBC Driver 98.00]
[ODBC]
Trace=no
[Teradata Database ODBC Driver 17.20]
Driver=/opt/teradata/client/17.20/lib64/tdataodbc_sb64.so
[Teradata Database ODBC Driver 20.00]
Driver=/opt/teradata/client/20.00/lib64/tdataodbc_sb64.so
[Teradata Database ODBC Driver 17.10
[PostgreSQL Unicode]
Driver=psqlodbcw.so
`;

/** A temporary ODBCSYSINI directory holding `files`, and an empty HOME. */
async function odbcDirs(files: Record<string, string>): Promise<{ sys: string; home: string } & AsyncDisposable> {
  const sys = await Deno.makeTempDir({ prefix: "tdmcp-odbcinst-" });
  const home = await Deno.makeTempDir({ prefix: "tdmcp-home-" });
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(`${sys}/${name}`, text);
  return {
    sys,
    home,
    async [Symbol.asyncDispose]() {
      await Deno.remove(sys, { recursive: true });
      await Deno.remove(home, { recursive: true });
    },
  };
}

Deno.test("parseOdbcinst lists the same drivers as unixODBC's own `odbcinst -q -d`", async () => {
  await using dirs = await odbcDirs({ "odbcinst.ini": FIXTURE });
  await Deno.writeTextFile(`${dirs.home}/.odbcinst.ini`, "[Teradata]\nDriver=/opt/x.so\n");
  const out = await new Deno.Command("odbcinst", {
    args: ["-q", "-d"],
    env: { ODBCSYSINI: dirs.sys, HOME: dirs.home },
    clearEnv: true,
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const unixOdbc = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => l.replace(/^\[|\]$/g, ""));
  assert.deepEqual([...parseOdbcinst(FIXTURE), "Teradata"], unixOdbc);
});

Deno.test("pickTeradataDriver takes the highest version, compared as numbers", () => {
  const names = parseOdbcinst(FIXTURE);
  assert.equal(pickTeradataDriver(names), "Teradata Database ODBC Driver 20.00");
  assert.equal(
    pickTeradataDriver(["Teradata Database ODBC Driver 9.00", "Teradata Database ODBC Driver 16.20"]),
    "Teradata Database ODBC Driver 16.20",
  );
  assert.equal(
    pickTeradataDriver(["Teradata Database ODBC Driver 17.20", "Teradata Database ODBC Driver 17.10"]),
    "Teradata Database ODBC Driver 17.20",
  );
  assert.equal(pickTeradataDriver(["Teradata", "ODBC Drivers", "PostgreSQL Unicode"]), null);
});

Deno.test("odbcinstFiles follows unixODBC: $ODBCSYSINI/$ODBCINSTINI, else the usual system directories, then ~/.odbcinst.ini", () => {
  assert.deepEqual(odbcinstFiles({ ODBCSYSINI: "/srv/odbc/", ODBCINSTINI: "drivers.ini", HOME: "/home/me" }), {
    system: ["/srv/odbc/drivers.ini"],
    user: "/home/me/.odbcinst.ini",
  });
  assert.deepEqual(odbcinstFiles({}), {
    system: ["/etc/odbcinst.ini", "/usr/local/etc/odbcinst.ini", "/opt/homebrew/etc/odbcinst.ini"],
    user: null,
  });
});

Deno.test("findTeradataDriver reads the system and the user file and names the highest Teradata driver", async () => {
  await using dirs = await odbcDirs({ "drivers.ini": FIXTURE });
  await Deno.writeTextFile(`${dirs.home}/.odbcinst.ini`, "[Teradata]\nDriver=/opt/x.so\n");
  const search = await findTeradataDriver({ ODBCSYSINI: dirs.sys, ODBCINSTINI: "drivers.ini", HOME: dirs.home });
  assert.deepEqual(search, {
    driver: "Teradata Database ODBC Driver 20.00",
    read: [`${dirs.sys}/drivers.ini`, `${dirs.home}/.odbcinst.ini`],
    notAllowed: [],
    others: ["Teradata"],
  });
  assert.equal(
    describeSearch(search, "fallback"),
    `Teradata ODBC driver: "Teradata Database ODBC Driver 20.00" (registered in ${dirs.sys}/drivers.ini, ${dirs.home}/.odbcinst.ini)`,
  );
});

Deno.test("findTeradataDriver without a Teradata entry says which files it read and what to do", async () => {
  await using dirs = await odbcDirs({ "odbcinst.ini": "[PostgreSQL Unicode]\nDriver=psqlodbcw.so\n[Teradata]\n" });
  const search = await findTeradataDriver({ ODBCSYSINI: dirs.sys, HOME: dirs.home });
  assert.equal(search.driver, null);
  assert.deepEqual(search.read, [`${dirs.sys}/odbcinst.ini`]);
  const message = describeSearch(search, "Teradata Database ODBC Driver 20.00");
  assert.match(message, /^No "Teradata Database ODBC Driver N\.NN" is registered in .*odbcinst\.ini/);
  assert.match(message, /other Teradata entries: Teradata/);
  assert.match(message, /trying "Teradata Database ODBC Driver 20\.00"/);
  assert.match(message, /ODBC_DRIVER/);
});

Deno.test("findTeradataDriver under a --allow-read that does not cover odbcinst.ini reports it instead of failing", async () => {
  await using dirs = await odbcDirs({ "odbcinst.ini": FIXTURE });
  const script = `${dirs.home}/probe.ts`;
  await Deno.writeTextFile(
    script,
    `import { describeSearch, findTeradataDriver } from ${
      JSON.stringify(import.meta.resolve("../../connection/drivers.ts"))
    };
const search = await findTeradataDriver({ ODBCSYSINI: ${JSON.stringify(dirs.sys)} });
console.log(JSON.stringify({ search, message: describeSearch(search, "F") }));`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-lock", `--allow-read=${dirs.home}`, script],
    stdin: "null",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const { search, message } = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.deepEqual(search, { driver: null, read: [], notAllowed: [`${dirs.sys}/odbcinst.ini`], others: [] });
  assert.match(message, /add to --allow-read/);
});

Deno.test("chooseOdbcDriver: ODBC_DRIVER wins, only teradata:// URIs search, and the choice is logged", async () => {
  await using dirs = await odbcDirs({ "odbcinst.ini": FIXTURE });
  const env = { ODBCSYSINI: dirs.sys, HOME: dirs.home };
  const logged: [string, string][] = [];
  const log = (level: string, message: string) => logged.push([level, message]);
  assert.equal(await chooseOdbcDriver("teradata://u:p@td/db", "My Teradata", env, log), "My Teradata");
  assert.equal(await chooseOdbcDriver("postgres://u:p@h/db", undefined, env, log), undefined);
  assert.deepEqual(logged, []);
  const driver = await chooseOdbcDriver("teradata://u:p@td/db", undefined, env, log);
  assert.equal(driver, "Teradata Database ODBC Driver 20.00");
  assert.equal(logged[0][0], "info");
  assert.match(
    parseDatabaseUri("teradata://u:p@td/db", { odbcDriver: driver }).connectionString,
    /^DRIVER=\{Teradata Database ODBC Driver 20\.00\};/,
  );
  assert.equal(await chooseOdbcDriver("teradata://u:p@td/db", undefined, { ODBCSYSINI: dirs.home }, log), undefined);
  assert.equal(logged[1][0], "warning");
});

Deno.test("the driver manager resolves the discovered name to the library the odbcinst.ini registers", async () => {
  await using dirs = await odbcDirs({ "odbcinst.ini": FIXTURE });
  const env = { ODBCSYSINI: dirs.sys, HOME: dirs.home };
  const { driver } = await findTeradataDriver(env);
  const { connectionString } = parseDatabaseUri("teradata://u:p%40x@td/sales?sslmode=require", { odbcDriver: driver! });
  // unixODBC's isql runs SQLDriverConnect with the same driver manager the odbc addon links; no Teradata library is
  // installed here, so it stops at loading the library registered for the name, which shows the name resolved.
  const out = await new Deno.Command("isql", { args: ["-v", "-k", connectionString], env, clearEnv: true }).output();
  const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.match(said, /Can't open lib '\/opt\/teradata\/client\/20\.00\/lib64\/tdataodbc_sb64\.so'/);
});
