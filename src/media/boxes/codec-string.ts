// What a manifest says about a track's sample entry: the RFC 6381 codecs string and a video's width and height, as
// track-format.ts reads them for MSE (one reader of avcC/hvcC/esds), and an audio's channel count and sample rate.
import type { BoxContext } from './box.js';
import type { SampleEntryInfo } from './protection.js';
import { trackFormat } from './track-format.js';

export interface EntryDescription {
  codecs: string;
  width?: number;
  height?: number;
  channels?: number;
  sampleRate?: number;
}

const VIDEO_FORMATS = new Set(['avc1', 'avc3', 'hvc1', 'hev1']);

export function describeEntry(ctx: BoxContext, entry: SampleEntryInfo): EntryDescription {
  if (VIDEO_FORMATS.has(entry.originalFormat)) {
    const { codec, width, height } = trackFormat(ctx, entry, 'video');
    return { codecs: codec, ...(width !== undefined ? { width } : {}), ...(height !== undefined ? { height } : {}) };
  }
  // AudioSampleEntry: 6 reserved, data_reference_index, 8 reserved, channelcount, samplesize, 4 reserved, samplerate.
  const body = entry.box.start + entry.box.headerSize;
  return { codecs: trackFormat(ctx, entry, 'audio').codec, channels: ctx.buf.readUInt16BE(body + 16), sampleRate: ctx.buf.readUInt32BE(body + 24) >>> 16 };
}
