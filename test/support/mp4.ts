// Test helpers over MP4 bytes: box-type census and sample comparison against a clear reference.
import { spawnSync } from 'node:child_process';
import { trackSamples } from '../../src/media/index.js';

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex', 'edts', 'dinf', 'sinf', 'schi']);
const ENTRY_SKIP: Record<string, number> = { encv: 78, avc1: 78, hvc1: 78, enca: 28, mp4a: 28 };

/** Every box type reachable through the usual containers and sample entries (plus sgpd/sbgp grouping types). */
export function boxTypes(buf: Buffer, start = 0, end = buf.length, out: string[] = []): string[] {
  let p = start;
  while (p + 8 <= end) {
    let size = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    let h = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(p + 8));
      h = 16;
    } else if (size === 0) size = end - p;
    out.push(type);
    if (type === 'sgpd' || type === 'sbgp') out.push(`${type}:${buf.toString('latin1', p + h + 4, p + h + 8)}`);
    if (CONTAINERS.has(type)) boxTypes(buf, p + h, p + size, out);
    else if (type === 'stsd') boxTypes(buf, p + h + 8, p + size, out);
    else if (ENTRY_SKIP[type] !== undefined) boxTypes(buf, p + h + ENTRY_SKIP[type]!, p + size, out);
    p += size;
  }
  return out;
}

/** Indices of samples of `trackId` that differ between two files (plus a count mismatch as -1). */
export function sampleDiff(expected: Buffer, actual: Buffer, trackId: number): number[] {
  const a = trackSamples(expected, trackId);
  const b = trackSamples(actual, trackId);
  const bad: number[] = [];
  if (a.length !== b.length) bad.push(-1);
  for (let i = 0; i < a.length; i++) if (!b[i] || !a[i]!.equals(b[i]!)) bad.push(i);
  return bad;
}

export const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

/** ffmpeg's stderr when decoding the whole file, or '' when clean. */
export function ffmpegDecodeErrors(path: string): string {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
  return r.status === 0 ? r.stderr.trim() : `exit ${r.status}: ${r.stderr.trim()}`;
}

/** ffmpeg's framemd5 lines for every decoded frame of `path` (decrypted with `key`, hex, when given). */
export function decodedFrames(path: string, key?: string): string[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', ...(key ? ['-decryption_key', key] : []), '-i', path, '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
}

/**
 * A copy of an hvc1 file whose hvcC has no PPS (its PPS array retyped as suffix SEI, NAL header too): every slice
 * then names a PPS the encryptor cannot find.
 */
export function withoutHevcPps(file: Buffer): Buffer {
  const bytes = Buffer.from(file);
  const pps = bytes.indexOf(Buffer.from([0x44, 0x01]), bytes.indexOf('hvcC'));
  // array_completeness | NAL_unit_type, numNalus (2), nalUnitLength (2), then the PPS's NAL header.
  if ((bytes[pps - 5]! & 0x3f) !== 34) throw new Error('the first 44 01 after hvcC is not its PPS');
  bytes[pps - 5] = (bytes[pps - 5]! & 0xc0) | 40;
  bytes[pps] = 40 << 1;
  return bytes;
}

/** Offsets of every box header reachable through the usual containers (for size-field fuzzing). */
export function boxOffsets(buf: Buffer, start = 0, end = buf.length, out: number[] = []): number[] {
  let p = start;
  while (p + 8 <= end) {
    let size = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    if (size === 1 || size < 8) break;
    if (size === 0) size = end - p;
    out.push(p);
    if (CONTAINERS.has(type)) boxOffsets(buf, p + 8, p + size, out);
    else if (type === 'stsd') boxOffsets(buf, p + 16, p + size, out);
    else if (ENTRY_SKIP[type] !== undefined) boxOffsets(buf, p + 8 + ENTRY_SKIP[type]!, p + size, out);
    p += size;
  }
  return out;
}
