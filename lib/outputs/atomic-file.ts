import { randomBytes } from "node:crypto";
import { access, constants, mkdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OutputError, UsageError, fsError } from "../errors.js";

/**
 * Checks that `path`'s folder exists and is writable, with a sentence that says what to do.
 *
 * @example await checkOutputFolder("out/session.zip");
 */
export async function checkOutputFolder(path: string): Promise<void> {
  const dir = dirname(path);
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new OutputError(`The output folder ${dir} does not exist; create it (mkdir -p ${dir}) or choose another output path.`, { file: path, cause: err });
    }
    throw fsError(err, dir, "output folder");
  }
  if (!st.isDirectory()) throw new OutputError(`The output folder ${dir} is not a folder; choose another output path.`, { file: path });
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new OutputError(`The output folder ${dir} is not writable; check its permissions or choose another output path.`, { file: path, cause: err });
  }
}

/**
 * Creates the folder `dir` (and its parents) for outputs, with one sentence when it cannot be:
 * `role` names it ("output folder", "recordings folder"), `todo` says what to do instead.
 *
 * @example await makeOutputFolder("casts/", "output folder", "choose another -o folder");
 */
export async function makeOutputFolder(dir: string, role: string, todo: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "EEXIST" ? "a file of that name is in the way"
      : code === "ENOTDIR" ? "a part of its path is a file, not a folder"
        : code === "EACCES" || code === "EPERM" ? "permission is denied"
          : code === "EROFS" ? "the file system is read-only"
            : code === "ENOSPC" ? "the disk is full"
              : code ?? String(err);
    throw new OutputError(`The ${role} ${dir} cannot be created: ${why}; ${todo}.`, { file: dir, cause: err });
  }
}

/** A temporary path beside `path`, on the same file system so that rename is atomic. */
export function tempPathFor(path: string, tag = "tmp"): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/**
 * Refuses an output that is `source`, the file being read: the same file by device and inode,
 * whatever the two paths say (`-o session.cast` for session.cast, a link to it, "./" before it).
 * Written over, the input would be gone once the output is renamed into place.
 */
export async function refuseOverwritingSource(path: string, source: string | undefined): Promise<void> {
  if (source === undefined) return;
  const [out, input] = await Promise.all([stat(path).catch(() => null), stat(source).catch(() => null)]);
  if (out && input && out.dev === input.dev && out.ino === input.ino) {
    throw new UsageError(`The output ${path} is the input ${source} itself, which writing it would replace; choose another output path.`, { file: path });
  }
}

/**
 * Runs `write(tempPath)`, then renames the temp file to `path`; on any failure removes the temp
 * file, so a failed run never leaves a partial output. Returns what `write` returned. `source`,
 * the file the output is made from, is never replaced (refuseOverwritingSource).
 *
 * @example await writeAtomically("out.zip", async (tmp) => writeZipTo(tmp), { source: "session.log" });
 */
export async function writeAtomically<T>(path: string, write: (tempPath: string) => Promise<T>, opts: { source?: string } = {}): Promise<T> {
  await checkOutputFolder(path);
  await refuseOverwritingSource(path, opts.source);
  const tmp = tempPathFor(path);
  try {
    const result = await write(tmp);
    await rename(tmp, path);
    return result;
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw wrapWriteError(err, path);
  }
}

/** Output-side file-system errors as OutputError sentences. */
export function wrapWriteError(err: unknown, path: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new OutputError(`The disk is full while writing ${path}; free some space and run again (nothing was written).`, { file: path, cause: err });
  }
  if (code === "EISDIR") {
    return new OutputError(`The output ${path} is a folder; give the path of a file to write (nothing was written).`, { file: path, cause: err });
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new OutputError(`${path} cannot be written (${code}); check the folder's permissions or choose another output path.`, { file: path, cause: err });
  }
  return err;
}
