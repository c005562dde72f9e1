// Which MIME types MediaSource accepts (isTypeSupported, addSourceBuffer, changeType): the ISO BMFF byte stream format
// with the codecs whose init segments src/media/boxes can describe. WebM and anything else: not supported.

import { codecsOf, parseMimeType } from '../../eme/mime.js';

const VIDEO = [/^(avc1|avc3)\.[0-9A-Fa-f]{6}$/, /^(hev1|hvc1)\.[A-C]?\d{1,3}\.[0-9A-Fa-f]{1,8}\.[LH]\d{1,3}(\.[0-9A-Fa-f]{1,2}){0,6}$/];
const AUDIO = [/^mp4a\.40\.(2|5|29)$/, /^mp4a\.40$/, /^ec-3$/, /^ac-3$/, /^opus$/, /^Opus$/];

/** The track kinds a supported type names, or undefined when MediaSource does not support the type. */
export function mseTypeSupport(type: string): { audio: boolean; video: boolean } | undefined {
  const mime = parseMimeType(type);
  if (!mime || (mime.essence !== 'video/mp4' && mime.essence !== 'audio/mp4')) return undefined;
  const codecs = codecsOf(mime);
  // MP4 without a codecs parameter names no decoder: not supported, as in Chromium.
  if (codecs === undefined || codecs.length === 0 || codecs.some((c) => c === '')) return undefined;
  let audio = false;
  let video = false;
  for (const codec of codecs) {
    if (VIDEO.some((p) => p.test(codec)) && mime.essence === 'video/mp4') video = true;
    else if (AUDIO.some((p) => p.test(codec))) audio = true;
    else return undefined;
  }
  return { audio, video };
}
