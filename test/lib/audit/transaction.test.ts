import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inTransaction, openAuditDb } from "../../../lib/audit/open-db.js";
import { tempDir } from "../../helpers/fixtures.js";

describe("inTransaction", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("commits what fn wrote, and rolls all of it back when fn fails", async () => {
    const db = await openAuditDb(join(tmp.dir, "tx.duckdb"), { write: true });
    try {
      await db.run("CREATE TABLE t (x INTEGER)");
      expect(await inTransaction(db, async () => db.run("INSERT INTO t VALUES (1), (2)"))).toBe(2);
      await expect(inTransaction(db, async () => {
        await db.run("INSERT INTO t VALUES (3)");
        await db.run("INSERT INTO no_such_table VALUES (4)");
      })).rejects.toMatchObject({ code: "ERR_DATABASE" });
      await expect(inTransaction(db, async () => {
        await db.run("INSERT INTO t VALUES (5)");
        throw new Error("stop");
      })).rejects.toThrow("stop");
      expect((await db.rows<{ x: number }>("SELECT x FROM t ORDER BY x")).map((r) => r.x)).toEqual([1, 2]);
      // The connection is usable again: no transaction left open.
      await inTransaction(db, async () => db.run("INSERT INTO t VALUES (6)"));
      expect((await db.rows<{ n: bigint }>("SELECT count(*) AS n FROM t"))[0]!.n).toBe(3n);
    } finally {
      db.close();
    }
  });
});
