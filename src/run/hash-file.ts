/**
 * SHA-256 of the start of a file, as fast as the hash itself runs. Two buffers take turns: while one chunk is
 * hashed on this thread, the next one is already being read by libuv's thread pool, so the copy out of the page
 * cache overlaps the hashing instead of adding to it. A stream with its 64 KiB chunks reached ~0.3-0.4 GB/s
 * here; this reaches the speed of `openssl dgst -sha256` (BENCHMARKS.md, "Snapshot verification").
 * 1 MiB chunks measured as fast as 4-16 MiB ones and keep the two buffers in the CPU's cache.
 */
import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

export const HASH_CHUNK_BYTES = 1024 * 1024;

/** The digest of bytes [0, length), or null when the file ended before `length` (it shrank while read). */
export async function hashFilePrefix(
  handle: FileHandle,
  length: number,
  chunkBytes = HASH_CHUNK_BYTES,
): Promise<Buffer | null> {
  const hash = createHash("sha256");
  return (await hashPrefixInto(handle, length, hash, chunkBytes)) ? hash.digest() : null;
}

/**
 * Feeds bytes [0, length) into `hash` (not digested: the caller may copy it and go on, as the snapshot check does
 * to get both the database's digest and the whole file's in one read); false when the file ended before `length`.
 */
export async function hashPrefixInto(
  handle: FileHandle,
  length: number,
  hash: Hash,
  chunkBytes = HASH_CHUNK_BYTES,
): Promise<boolean> {
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
  const readAt = (index: 0 | 1, position: number) =>
    handle.read(buffers[index], 0, Math.min(chunkBytes, length - position), position);
  let position = 0;
  let current: 0 | 1 = 0;
  let pending = length > 0 ? readAt(current, 0) : undefined;
  while (pending !== undefined) {
    const { bytesRead } = await pending;
    if (bytesRead === 0) return false;
    const filled = buffers[current];
    position += bytesRead;
    current = current === 0 ? 1 : 0;
    // Start the next read before hashing this chunk: that overlap is the whole point.
    pending = position < length ? readAt(current, position) : undefined;
    hash.update(filled.subarray(0, bytesRead));
  }
  return true;
}
