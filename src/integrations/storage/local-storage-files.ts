import { createHash, randomUUID } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

import { z } from 'zod';

import { InvalidInputError } from '../../errors/app-error.ts';

/**
 * What a sidecar records beside an object file. `size` and `mtimeMs` describe the file the
 * sidecar was written for: a sidecar that no longer matches (a crash between the two renames,
 * or a file copied in by hand) is detected, and the etag is then recomputed from the bytes.
 */
export const sidecarSchema = z.object({
  contentType: z.string(),
  cacheControl: z.string().optional(),
  contentEncoding: z.string().optional(),
  etag: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
});
export type Sidecar = z.infer<typeof sidecarSchema>;

export function errorCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The object is not there, or a path component is a file rather than a folder. */
export function isMissing(err: unknown): boolean {
  const code = errorCodeOf(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * A file system cannot hold both `a` and `a/b`, nor a segment over 255 bytes, although S3
 * can: such keys are refused as the caller's fault rather than retried.
 */
export function pathClash(err: unknown, key: string): InvalidInputError | undefined {
  const code = errorCodeOf(err);
  if (!['EEXIST', 'EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'ENAMETOOLONG'].includes(code ?? '')) {
    return undefined;
  }
  const message =
    code === 'ENAMETOOLONG'
      ? 'a segment is too long for local storage (255 bytes at most)'
      : 'clashes with an existing object or folder of the same name in local storage';
  return new InvalidInputError('request.invalid', `The storage key "${key}" ${message}.`, {
    fieldIssues: [{ path: 'key', message }],
    cause: err,
  });
}

export function quotedSha256(hash: ReturnType<typeof createHash>): string {
  return `"${hash.digest('hex')}"`;
}

/** Hashes an open file from the start without moving any stream over it. */
export async function hashFile(handle: FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(64 * 1024);
  for (let position = 0; position < size;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) {
      break;
    }
    hash.update(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
  return quotedSha256(hash);
}

export async function readSidecar(path: string): Promise<Sidecar | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) {
      return undefined;
    }
    throw err;
  }
  const parsed = sidecarSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Moves a finished temporary file into place. rename() replaces the target atomically, so a
 * reader sees the old file or the new one, never half of either. A concurrent delete may prune
 * the freshly made folder between mkdir and rename; that is answered by making it again once.
 */
export async function moveIntoPlace(temporary: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(temporary, target);
      return;
    } catch (err) {
      if (attempt >= 2 || errorCodeOf(err) !== 'ENOENT') {
        throw err;
      }
    }
  }
}

export async function writeFileAtomically(
  temporaryDirectory: string,
  target: string,
  content: string,
): Promise<void> {
  const temporary = join(temporaryDirectory, randomUUID());
  await writeFile(temporary, content);
  try {
    await moveIntoPlace(temporary, target);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/** Removes the folders a delete left empty, up to (not including) `stopAt`. */
export async function pruneEmptyFolders(from: string, stopAt: string): Promise<void> {
  for (let folder = from; folder.startsWith(stopAt + sep); folder = dirname(folder)) {
    try {
      await rmdir(folder);
    } catch {
      // Not empty (or already gone): the folders above are not empty either.
      return;
    }
  }
}

/** Every file under `folder`, as `/`-separated paths relative to `root`. */
export async function listFiles(root: string, folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { recursive: true, withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) {
      return [];
    }
    throw err;
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
}
