// Sample positions of a progressive track from stsz/stz2, stco/co64 and stsc.
import { fullBox, payload } from './box.js';
import type { BoxContext } from './box.js';
import type { SampleBudget } from './budget.js';
import { MediaError } from '../errors.js';
import type { TrackInfo } from './movie.js';

export interface SampleTable {
  count: number;
  offset: Float64Array;
  size: Uint32Array;
  /** 1-based sample description index per sample. */
  desc: Uint32Array;
}

const EMPTY: SampleTable = { count: 0, offset: new Float64Array(0), size: new Uint32Array(0), desc: new Uint32Array(0) };

function sizes(ctx: BoxContext, t: TrackInfo, budget: SampleBudget): Uint32Array {
  const { stsz, stz2 } = t.tables;
  if (stsz) {
    const c = payload(ctx, stsz);
    fullBox(c);
    const constant = c.u32();
    const n = c.u32();
    if (constant === 0) {
      if (n > c.remaining / 4) throw new MediaError('malformed', `sample_count ${n} exceeds the box`, { box: stsz.path, offset: ctx.base + stsz.start, field: 'sample_count' });
      return Uint32Array.from(c.u32Array(n));
    }
    // One size for every sample: nothing in the box backs the count, the samples' data must.
    budget.claim(n, constant, { box: stsz.path, offset: ctx.base + stsz.start, field: 'sample_count' });
    return new Uint32Array(n).fill(constant);
  }
  if (stz2) {
    const c = payload(ctx, stz2);
    fullBox(c);
    c.skip(3);
    const field = c.u8();
    const n = c.u32();
    if (field !== 4 && field !== 8 && field !== 16) throw new MediaError('malformed', `field_size ${field}`, { box: stz2.path, offset: ctx.base + stz2.start, field: 'field_size' });
    if (n > (c.remaining * 8) / field) throw new MediaError('malformed', `sample_count ${n} exceeds the box`, { box: stz2.path, offset: ctx.base + stz2.start, field: 'sample_count' });
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      if (field === 16) out[i] = c.u16();
      else if (field === 8) out[i] = c.u8();
      else {
        const b = c.buf[c.pos]!;
        out[i] = i % 2 === 0 ? b >> 4 : b & 15;
        if (i % 2 === 1) c.pos++;
      }
    }
    return out;
  }
  return new Uint32Array(0);
}

function chunkOffsets(ctx: BoxContext, t: TrackInfo): Float64Array {
  const box = t.tables.stco ?? t.tables.co64;
  if (!box) return new Float64Array(0);
  const c = payload(ctx, box);
  fullBox(c);
  const n = c.u32();
  const wide = box.type === 'co64';
  if (n > c.remaining / (wide ? 8 : 4)) throw new MediaError('malformed', `entry_count ${n} exceeds the box`, { box: box.path, offset: ctx.base + box.start, field: 'entry_count' });
  return c.u32Array(n, wide);
}

/** `budget`: see SampleBudget; one per input, shared by its tracks and fragments. */
export function buildSampleTable(ctx: BoxContext, t: TrackInfo, budget: SampleBudget): SampleTable {
  const sz = sizes(ctx, t, budget);
  if (sz.length === 0) return EMPTY;
  const chunks = chunkOffsets(ctx, t);
  const stsc = t.tables.stsc;
  if (!stsc || chunks.length === 0) throw new MediaError('malformed', `track ${t.id} has samples but no stsc/stco`, { box: t.stbl?.path ?? 'stbl', trackId: t.id });
  const c = payload(ctx, stsc);
  fullBox(c);
  const n = c.u32();
  if (n > c.remaining / 12) throw new MediaError('malformed', `entry_count ${n} exceeds the box`, { box: stsc.path, offset: ctx.base + stsc.start, field: 'entry_count' });
  const fields = c.u32Array(3 * n);
  const first = new Uint32Array(n);
  const per = new Uint32Array(n);
  const desc = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    first[i] = fields[3 * i]!;
    per[i] = fields[3 * i + 1]!;
    desc[i] = fields[3 * i + 2]!;
    if (first[i]! < 1 || (i > 0 && first[i]! <= first[i - 1]!)) {
      throw new MediaError('malformed', `entry ${i}: first_chunk ${first[i]} out of order`, { box: stsc.path, offset: ctx.base + stsc.start, field: 'first_chunk' });
    }
  }
  const count = sz.length;
  const table: SampleTable = { count, offset: new Float64Array(count), size: sz, desc: new Uint32Array(count) };
  let s = 0;
  let e = 0;
  for (let ch = 0; ch < chunks.length && s < count; ch++) {
    while (e + 1 < n && first[e + 1]! <= ch + 1) e++;
    if (n === 0 || first[0]! > ch + 1) throw new MediaError('malformed', `chunk ${ch + 1} has no stsc entry`, { box: stsc.path, offset: ctx.base + stsc.start });
    let pos = chunks[ch]!;
    const k = per[e]!;
    if (k > count - s) throw new MediaError('malformed', `chunks hold more samples than stsz's ${count}`, { box: stsc.path, offset: ctx.base + stsc.start, trackId: t.id, field: 'samples_per_chunk' });
    for (let j = 0; j < k; j++, s++) {
      table.offset[s] = pos;
      table.desc[s] = desc[e]!;
      pos += sz[s]!;
    }
  }
  if (s !== count) throw new MediaError('malformed', `chunks hold ${s} samples, stsz says ${count}`, { box: stsc.path, offset: ctx.base + stsc.start, trackId: t.id, field: 'samples_per_chunk' });
  return table;
}
