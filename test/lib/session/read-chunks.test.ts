import { mkdirSync, writeFileSync } from "node:fs";
import { openFiles } from "../../helpers/open-files.js";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readChunks, readHead, readHeadAndSize } from "../../../lib/session/read-chunks.js";
import { tempDir } from "../../helpers/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const readAll = async (path: string, role: string, size?: number): Promise<Buffer> => {
  const out: Buffer[] = [];
  for await (const c of readChunks(path, role, size)) out.push(Buffer.from(c));
  return Buffer.concat(out);
};

describe("readHead, readHeadAndSize and readChunks open files the same way", () => {
  it("read the head, the size and the chunks of a file", async () => {
    const f = join(tmp.dir, "ten.bin");
    writeFileSync(f, "0123456789");
    expect((await readHead(f, 4, "input")).toString()).toBe("0123");
    expect(await readHeadAndSize(f, 4096, "input")).toEqual({ head: Buffer.from("0123456789"), size: 10 });
    expect((await readAll(f, "capture", 3)).toString()).toBe("0123456789");
    const empty = join(tmp.dir, "empty.bin");
    writeFileSync(empty, "");
    expect(await readHeadAndSize(empty, 2, "input")).toEqual({ head: Buffer.alloc(0), size: 0 });
    expect(openFiles()).not.toContain(f);
  });

  it("name the file and its role for a missing path and a directory, and leave nothing open", async () => {
    const missing = join(tmp.dir, "missing.log");
    const dir = join(tmp.dir, "a-folder");
    mkdirSync(dir);
    for (const read of [(p: string) => readHead(p, 2, "capture"), (p: string) => readHeadAndSize(p, 2, "capture"), (p: string) => readAll(p, "capture")]) {
      await expect(read(missing)).rejects.toMatchObject({ code: "ERR_NOT_FOUND", message: `The capture ${missing} does not exist; check the path.` });
      await expect(read(dir)).rejects.toMatchObject({ code: "ERR_IS_DIRECTORY", message: `The capture ${dir} is a directory, not a file; give the path of a file.` });
    }
    expect(openFiles()).not.toContain(dir);
  });
});
