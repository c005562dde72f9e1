// The four Common Encryption schemes applied in place to one sample inside a larger buffer.
// Protected blocks are gathered into one contiguous buffer per sample so each sample costs one cipher call.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { MediaError } from './errors.js';
import type { SampleCrypto } from './job.js';

export type Direction = 'decrypt' | 'encrypt';

/** Pieces of the sample (absolute positions in buf) that go through the cipher, plus where each protected range starts in the gathered stream. */
interface Gather {
  pos: number[];
  len: number[];
  /** Gathered-stream offset of the first block of each protected range (for cbcs IV resets). */
  rangeStarts: number[];
  total: number;
}

function protectedRanges(off: number, size: number, c: SampleCrypto, where: () => string): [number, number][] {
  const subs = c.subsamples;
  if (!subs || subs.length === 0) return [[off, size]];
  const out: [number, number][] = [];
  let p = off;
  const end = off + size;
  for (let i = 0; i < subs.length; i += 2) {
    p += subs[i]!;
    const n = subs[i + 1]!;
    if (p + n > end) {
      throw new MediaError('malformed', `${where()}: subsample sizes exceed the sample size ${size}`);
    }
    if (n > 0) out.push([p, n]);
    p += n;
  }
  return out;
}

function gather(ranges: [number, number][], c: SampleCrypto, wholeBytes: boolean): Gather {
  const g: Gather = { pos: [], len: [], rangeStarts: [], total: 0 };
  const crypt = c.cryptBlocks;
  const skip = c.skipBlocks;
  const patterned = crypt > 0 || skip > 0;
  for (const [start, len] of ranges) {
    g.rangeStarts.push(g.total);
    if (!patterned) {
      // CTR handles a partial tail; CBC leaves it clear.
      const n = wholeBytes ? len : len - (len % 16);
      if (n > 0) {
        g.pos.push(start);
        g.len.push(n);
        g.total += n;
      }
      continue;
    }
    const end = start + len;
    let p = start;
    while (end - p >= 16) {
      const n = Math.min(crypt, Math.floor((end - p) / 16)) * 16;
      if (n > 0) {
        g.pos.push(p);
        g.len.push(n);
        g.total += n;
      }
      p += n + skip * 16;
    }
    // CTR (cens) encrypts a trailing partial block when it falls in the crypt part of the pattern, as GPAC does.
    if (wholeBytes && p < end && end - p < 16) {
      g.pos.push(p);
      g.len.push(end - p);
      g.total += end - p;
    }
  }
  return g;
}

function collect(buf: Buffer, g: Gather): Buffer {
  if (g.pos.length === 1) return buf.subarray(g.pos[0]!, g.pos[0]! + g.len[0]!);
  const out = Buffer.allocUnsafe(g.total);
  let t = 0;
  for (let i = 0; i < g.pos.length; i++) {
    const p = g.pos[i]!;
    const n = g.len[i]!;
    if (n === 16) {
      for (let k = 0; k < 16; k++) out[t + k] = buf[p + k]!;
    } else buf.copy(out, t, p, p + n);
    t += n;
  }
  return out;
}

function scatter(buf: Buffer, g: Gather, data: Buffer): void {
  let t = 0;
  for (let i = 0; i < g.pos.length; i++) {
    const p = g.pos[i]!;
    const n = g.len[i]!;
    if (n === 16) {
      for (let k = 0; k < 16; k++) buf[p + k] = data[t + k]!;
    } else data.copy(buf, p, t, t + n);
    t += n;
  }
}

/** CTR with the CENC counter: the low 64 bits wrap without carrying into the high half. */
function ctr(dir: Direction, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const hi = iv.readUInt32BE(8);
  const lo = iv.readUInt32BE(12);
  const blocks = Math.ceil(data.length / 16);
  const make = dir === 'decrypt' ? createDecipheriv : createCipheriv;
  if (hi !== 0xffffffff || lo + blocks <= 0x100000000) {
    return make('aes-128-ctr', key, iv).update(data);
  }
  // Rare: the 64-bit block counter wraps inside this sample; split the stream at the wrap.
  const before = (0x100000000 - lo) * 16;
  const first = make('aes-128-ctr', key, iv).update(data.subarray(0, before));
  const wrapped = Buffer.from(iv);
  wrapped.fill(0, 8);
  const second = make('aes-128-ctr', key, wrapped).update(data.subarray(before));
  return Buffer.concat([first, second]);
}

function cbc(dir: Direction, key: Buffer, iv: Buffer, data: Buffer, resets: number[]): Buffer {
  if (dir === 'decrypt') {
    const d = createDecipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
    const out = d.update(data);
    // One chain was run over several ranges; each range after the first must start from the IV again,
    // so undo the XOR with the previous ciphertext block and apply the IV instead.
    for (let r = 1; r < resets.length; r++) {
      const s = resets[r]!;
      if (s === 0 || s >= data.length || s === resets[r - 1]) continue;
      for (let k = 0; k < 16; k++) out[s + k] = out[s + k]! ^ data[s - 16 + k]! ^ iv[k]!;
    }
    return out;
  }
  // Encryption cannot be batched the same way (each chain depends on its own output); run one call per range.
  const parts: Buffer[] = [];
  const bounds = [...resets.filter((s) => s < data.length), data.length];
  for (let r = 0; r + 1 < bounds.length; r++) {
    if (bounds[r + 1]! <= bounds[r]!) continue;
    const e = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
    parts.push(e.update(data.subarray(bounds[r]!, bounds[r + 1]!)));
  }
  return Buffer.concat(parts);
}

/** Decrypts (or, for test vectors, encrypts) one sample at buf[off, off+size) in place. */
export function cryptSample(buf: Buffer, off: number, size: number, c: SampleCrypto, key: Buffer, dir: Direction, where: () => string): void {
  const ranges = protectedRanges(off, size, c, where);
  if (ranges.length === 0) return;
  const isCtr = c.scheme === 'cenc' || c.scheme === 'cens';
  const g = gather(ranges, c, isCtr);
  if (g.total === 0) return;
  const input = collect(buf, g);
  let out: Buffer;
  if (isCtr) out = ctr(dir, key, c.iv, input);
  else out = cbc(dir, key, c.iv, input, c.scheme === 'cbcs' ? g.rangeStarts : [0]);
  scatter(buf, g, out);
}
