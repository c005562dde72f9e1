// canPlayType() (HTML §4.8.11.3) for what the headless element plays: MP4 (ISO BMFF) with the codecs below, as
// Chromium answers: "maybe" for a bare container type, "probably" when every listed codec is known, "" otherwise
// (HLS playlists included: players must take the MSE path, as in desktop Chromium).

import { codecsOf, parseMimeType } from '../../eme/mime.js';

const CODECS: Record<string, readonly RegExp[]> = {
  'video/mp4': [/^(avc1|avc3)\.[0-9A-Fa-f]{6}$/, /^(hev1|hvc1)\.[A-C]?\d{1,3}\.[0-9A-Fa-f]{1,8}\.[LH]\d{1,3}(\.[0-9A-Fa-f]{1,2}){0,6}$/, /^mp4a\.40\.\d{1,2}$/, /^mp4a\.(67|69|6B|6b)$/, /^(opus|Opus|flac|fLaC|ec-3|ac-3)$/],
  'audio/mp4': [/^mp4a\.40\.\d{1,2}$/, /^mp4a\.(67|69|6B|6b)$/, /^(opus|Opus|flac|fLaC|ec-3|ac-3)$/],
};

export type CanPlayTypeResult = '' | 'maybe' | 'probably';

export function canPlayType(type: string): CanPlayTypeResult {
  const mime = parseMimeType(type);
  if (!mime) return '';
  const patterns = CODECS[mime.essence];
  if (!patterns) return '';
  const codecs = codecsOf(mime);
  if (codecs === undefined) return 'maybe';
  if (codecs.length === 0) return '';
  return codecs.every((codec) => patterns.some((pattern) => pattern.test(codec))) ? 'probably' : '';
}
