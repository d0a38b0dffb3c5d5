// Domain layer, ids: random bytes for ids and token secrets, from the system's CSPRNG in blocks.
// Each call into OpenSSL 3 costs about 5 µs whatever its size (its provider lookups), and a token
// save needs five draws (ids, public id, secret); one 4 KiB draw serves hundreds of them. As in
// Node's own randomUUID cache: every byte is handed out once, and is wiped from the block when it
// is.
import { randomBytes as systemRandomBytes, randomFillSync } from "node:crypto";

const BLOCK_SIZE = 4096;

let block = Buffer.alloc(0);
let offset = 0;

/** `n` fresh cryptographically random bytes, the caller's own copy. */
export function randomBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randomBytes: bad length ${n}`);
  if (n > BLOCK_SIZE / 4) return systemRandomBytes(n);
  if (offset + n > block.length) {
    block = randomFillSync(Buffer.allocUnsafeSlow(BLOCK_SIZE));
    offset = 0;
  }
  const out = Buffer.allocUnsafe(n);
  block.copy(out, 0, offset, offset + n);
  block.fill(0, offset, offset + n);
  offset += n;
  return out;
}
