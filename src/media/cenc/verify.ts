// Plausibility check of decrypted AVC/HEVC samples, the only place a wrong key is visible without decoding.
// A NAL unit never contains 00 00 00, 00 00 01 or 00 00 02 (emulation prevention) and never ends in 00;
// when the NAL length fields were encrypted too, they must also tile the sample exactly.
// Random bytes (a wrong key) break these rules with a probability that grows with the protected size.
// Zero bytes that end a NAL unit in the clear are the content's (a remux from Annex B leaves the next start code's
// zero_byte there, and decoders take it): only a decrypted one counts against the key.

import { forEachProtectedRange } from '../boxes/job.js';

const ZZ = Buffer.from([0, 0]);
const SCAN_BYTES = 512;

/** Whether byte `at` of a sample lies in a protected range of its [clear, protected] pairs (all of it without pairs). */
function decrypted(at: number, size: number, subsamples: Uint32Array | undefined): boolean {
  let hit = false;
  forEachProtectedRange(0, size, subsamples, (p, len) => (hit ||= at >= p && at < p + len));
  return hit;
}

/**
 * Returns a reason string when the sample cannot be valid length-prefixed NAL data, else undefined; `subsamples`:
 * the sample's [clear, protected] pairs (undefined: all of it was decrypted).
 */
export function checkNalSample(buf: Buffer, off: number, size: number, lengthSize: number, lengthsProtected: boolean, subsamples?: Uint32Array): string | undefined {
  const end = off + size;
  let p = off;
  while (p < end) {
    if (end - p < lengthSize) return lengthsProtected ? 'NAL length field cut by the sample end' : undefined;
    let n = 0;
    for (let k = 0; k < lengthSize; k++) n = n * 256 + buf[p + k]!;
    p += lengthSize;
    if (n === 0 || n > end - p) return lengthsProtected ? `NAL length ${n} does not fit the sample` : undefined;
    const q = p + n;
    if (buf[q - 1] === 0 && decrypted(q - 1 - off, size, subsamples)) return 'NAL unit ends in a zero byte';
    // Scanning the head of each NAL keeps the check cheap on the hot path; the head is where encrypted
    // slice data starts, so a wrong key shows there as much as anywhere.
    const nal = buf.subarray(p, Math.min(q, p + SCAN_BYTES));
    let i = nal.indexOf(ZZ);
    while (i !== -1 && i + 2 < nal.length) {
      if (nal[i + 2]! <= 2) return 'start-code emulation inside a NAL unit';
      i = nal.indexOf(ZZ, i + 1);
    }
    p = q;
  }
  return undefined;
}
