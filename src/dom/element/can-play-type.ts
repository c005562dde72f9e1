// canPlayType() (HTML §4.8.11.3) for what the headless element plays: what its MediaSource accepts (mse's
// type-support.ts, one codec table), answered as Chromium does: "probably" when codecs are named and all known,
// "maybe" for a bare MP4 container type (the element reads the codecs from the file's init segment), "" otherwise
// (HLS playlists included: players must take the MSE path, as in desktop Chromium).

import { codecsOf, parseMimeType } from '../../eme/mime.js';
import { mseTypeSupport } from '../mse/type-support.js';

export type CanPlayTypeResult = '' | 'maybe' | 'probably';

const CONTAINERS = new Set(['video/mp4', 'audio/mp4']);

export function canPlayType(type: string): CanPlayTypeResult {
  const mime = parseMimeType(type);
  if (!mime || !CONTAINERS.has(mime.essence)) return '';
  if (codecsOf(mime) === undefined) return 'maybe';
  return mseTypeSupport(type) === undefined ? '' : 'probably';
}
