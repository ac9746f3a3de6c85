import yauzl from "yauzl";

/** Reads every entry of a zip into memory (tests only), with its unix mode and compression method. */
export async function readZip(path: string): Promise<Map<string, { data: Buffer; mode: number; method: number }>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(path, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))));
  const out = new Map<string, { data: Buffer; mode: number; method: number }>();
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (e, s) => {
        if (e) return reject(e);
        const parts: Buffer[] = [];
        s!.on("data", (d: Buffer) => parts.push(d));
        s!.on("end", () => {
          out.set(entry.fileName, { data: Buffer.concat(parts), mode: (entry.externalFileAttributes >>> 16) & 0o7777, method: entry.compressionMethod });
          zip.readEntry();
        });
        s!.on("error", reject);
      });
    });
    zip.on("end", () => resolve());
    zip.on("error", reject);
    zip.readEntry();
  });
  zip.close();
  return out;
}
