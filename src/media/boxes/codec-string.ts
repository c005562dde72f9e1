// What a manifest says about a track's sample entry: the RFC 6381 codecs string (avc1.PPCCLL, hvc1.…, mp4a.40.n,
// ac-3, ec-3, opus), a video's width and height, an audio's channel count and sample rate.
import { children } from './box.js';
import type { BoxContext } from './box.js';
import type { SampleEntryInfo } from './protection.js';

export interface EntryDescription {
  codecs: string;
  width?: number;
  height?: number;
  channels?: number;
  sampleRate?: number;
}

const hex2 = (v: number) => v.toString(16).padStart(2, '0');

function hevcCodecs(format: string, c: Buffer): string {
  // HEVCDecoderConfigurationRecord: profile space/tier/idc, compatibility flags, 6 constraint bytes, level.
  const spaces = ['', 'A', 'B', 'C'];
  const profile = `${spaces[c[1]! >> 6]}${c[1]! & 0x1f}`;
  let flags = c.readUInt32BE(2);
  let reversed = 0;
  for (let i = 0; i < 32; i++, flags >>>= 1) reversed = (reversed << 1) | (flags & 1);
  const tier = c[1]! & 0x20 ? 'H' : 'L';
  const constraints = [...c.subarray(6, 12)];
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  return [format, profile, (reversed >>> 0).toString(16), `${tier}${c[12]}`, ...constraints.map((b) => b.toString(16))].join('.');
}

/** The audio object type from an esds's AudioSpecificConfig (mp4a.40.n), if it can be found. */
function aacObjectType(esds: Buffer): number | undefined {
  // Descriptors: tag, length (1–4 bytes of 7 bits), body. ES_Descriptor (3) → DecoderConfig (4) → DecSpecificInfo (5).
  let p = 4;
  const header = (): [number, number] => {
    const tag = esds[p++]!;
    let len = 0;
    for (let i = 0; i < 4; i++) {
      const b = esds[p++]!;
      len = (len << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return [tag, len];
  };
  if (header()[0] !== 3) return undefined;
  p += 2;
  const flags = esds[p++]!;
  if (flags & 0x80) p += 2;
  if (flags & 0x40) p += 1 + esds[p]!;
  if (flags & 0x20) p += 2;
  if (header()[0] !== 4 || esds[p] !== 0x40) return undefined;
  p += 13;
  if (header()[0] !== 5) return undefined;
  const aot = esds[p]! >> 3;
  return aot === 31 ? 32 + (((esds[p]! & 7) << 3) | (esds[p + 1]! >> 5)) : aot;
}

export function describeEntry(ctx: BoxContext, entry: SampleEntryInfo): EntryDescription {
  const e = entry.box;
  const body = e.start + e.headerSize;
  const format = entry.originalFormat;
  const kids = entry.childSkip === undefined ? [] : children(ctx, e, entry.childSkip);
  const payloadOf = (type: string) => {
    const k = kids.find((b) => b.type === type);
    return k && ctx.buf.subarray(k.start + k.headerSize, k.end);
  };
  if (format === 'avc1' || format === 'avc3' || format === 'hvc1' || format === 'hev1') {
    const size = { width: ctx.buf.readUInt16BE(body + 24), height: ctx.buf.readUInt16BE(body + 26) };
    const avcC = payloadOf('avcC');
    const hvcC = payloadOf('hvcC');
    if (avcC && avcC.length >= 4) return { codecs: `${format}.${hex2(avcC[1]!)}${hex2(avcC[2]!)}${hex2(avcC[3]!)}`, ...size };
    if (hvcC && hvcC.length >= 13) return { codecs: hevcCodecs(format, hvcC), ...size };
    return { codecs: format, ...size };
  }
  const audio = { channels: ctx.buf.readUInt16BE(body + 16), sampleRate: ctx.buf.readUInt32BE(body + 24) >>> 16 };
  if (format === 'mp4a') {
    const esds = payloadOf('esds');
    const aot = esds && aacObjectType(esds);
    return { codecs: aot ? `mp4a.40.${aot}` : 'mp4a.40.2', ...audio };
  }
  return { codecs: format === 'Opus' ? 'opus' : format, ...audio };
}
