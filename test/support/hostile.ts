// Hostile inputs of issue 16 made from the fixtures, as the attacks that found them made them: small edits to count
// fields. Used by the regression tests and to write their copies into test/regressions/.
import { boxOffsets } from './mp4.js';
import { readFixture } from './fixtures.js';

function boxesOf(buf: Buffer, type: string): number[] {
  return boxOffsets(buf).filter((o) => buf.toString('latin1', o + 4, o + 8) === type);
}

/** The file up to the end of its first moof: ftyp, moov and one fragment, without sample data (~4 KB). */
export function firstFragment(name: string): Buffer {
  const buf = readFixture(name);
  const moof = boxesOf(buf, 'moof')[0]!;
  return Buffer.from(buf.subarray(0, moof + buf.readUInt32BE(moof)));
}

/**
 * Item 1: the first `truns` trun boxes lose their per-sample fields (flags: data_offset only) and declare
 * 2^24 - 1 samples, which the old bound (sample_count <= 2^24) let through.
 */
export function emptyTruns(input: Buffer, truns: number): Buffer {
  const out = Buffer.from(input);
  for (const o of boxesOf(out, 'trun').slice(0, truns)) {
    out.writeUInt32BE(0x000001, o + 8);
    out.writeUInt32BE(0xffffff, o + 12);
  }
  return out;
}

/**
 * Item 1 for saiz: a progressive file whose aux info lies outside the moov (saio pointed at the mdat, senc
 * renamed 'free') and whose saiz declares 2^32 - 1 entries of 16 bytes with no size table; cut after the mdat's
 * header (~6 KB): the moov is read, and rejected, before any sample.
 */
export function hugeSaiz(name: string): Buffer {
  const out = Buffer.from(readFixture(name));
  for (const o of boxesOf(out, 'senc')) out.write('free', o + 4, 'latin1');
  const mdat = boxesOf(out, 'mdat')[0]!;
  for (const o of boxesOf(out, 'saio')) {
    const flags = out.readUInt32BE(o + 8) & 0xffffff;
    out.writeUInt32BE(mdat + 8, o + 16 + (flags & 1 ? 8 : 0));
  }
  for (const o of boxesOf(out, 'saiz')) {
    const at = o + 12 + (out.readUInt32BE(o + 8) & 1 ? 8 : 0);
    out[at] = 16;
    out.writeUInt32BE(0xffffffff, at + 1);
  }
  return Buffer.from(out.subarray(0, mdat + 16));
}

/**
 * Item 4: `depth` minf boxes nested one in another, added to the first trak of a progressive file (moov and trak
 * sizes fixed up); cut after the mdat's header. ~2,000 levels overflowed the stack of a recursive reader.
 */
export function deepNesting(name: string, depth: number): Buffer {
  const buf = readFixture(name);
  const moov = boxesOf(buf, 'moov')[0]!;
  const trak = boxesOf(buf, 'trak')[0]!;
  const chain = Buffer.alloc(8 * depth);
  for (let i = 0; i < depth; i++) {
    chain.writeUInt32BE(8 * (depth - i), 8 * i);
    chain.write('minf', 8 * i + 4, 'latin1');
  }
  // Appended at the trak's end, inside it once its size (and the moov's) grows: the chain is its last child.
  const trakEnd = trak + buf.readUInt32BE(trak);
  const out = Buffer.concat([buf.subarray(0, trakEnd), chain, buf.subarray(trakEnd)]);
  out.writeUInt32BE(buf.readUInt32BE(moov) + chain.length, moov);
  out.writeUInt32BE(buf.readUInt32BE(trak) + chain.length, trak);
  const mdat = boxesOf(buf, 'mdat')[0]!;
  return Buffer.from(out.subarray(0, mdat + (mdat > moov ? chain.length : 0) + 16));
}
