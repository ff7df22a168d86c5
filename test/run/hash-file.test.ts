/** hashFilePrefix: the double-buffered hash equals a plain SHA-256 of the same bytes at every chunk boundary. */
import { createHash, randomBytes } from "node:crypto";
import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashFilePrefix } from "../../src/run/hash-file.js";
import { useTempDir } from "../support/temp-dir.js";

const tempDir = useTempDir("ted-hash-");
const CHUNK = 1000; // small and not a power of two, so chunk ends never line up with anything by chance

async function hashOf(bytes: Buffer, length: number): Promise<Buffer | null> {
  const path = join(tempDir(), "f.bin");
  await writeFile(path, bytes);
  const handle = await open(path, "r");
  try {
    return await hashFilePrefix(handle, length, CHUNK);
  } finally {
    await handle.close();
  }
}

describe("hashFilePrefix", () => {
  const bytes = randomBytes(5 * CHUNK + 123);
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17, bytes.length])(
    "hashes exactly the first %i bytes",
    async (length) => {
      const expected = createHash("sha256").update(bytes.subarray(0, length)).digest();
      expect(await hashOf(bytes, length)).toEqual(expected);
    },
  );

  it("says null when the file is shorter than asked (it shrank while being read)", async () => {
    expect(await hashOf(bytes, bytes.length + 1)).toBeNull();
    expect(await hashOf(Buffer.alloc(0), 10)).toBeNull();
  });
});
