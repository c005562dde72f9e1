// canPlayType() (HTML §4.8.11.3) for what the headless element plays: what its MediaSource accepts (mse's
// type-support.ts, one codec table), answered as Chromium does: "probably" when codecs are named and all known,
// "maybe" for a bare container type, "" otherwise (HLS playlists included: players must take the MSE path, as in
// desktop Chromium).

import { codecsOf, parseMimeType } from '../../eme/mime.js';
import { mseTypeSupport } from '../mse/type-support.js';

export type CanPlayTypeResult = '' | 'maybe' | 'probably';

export function canPlayType(type: string): CanPlayTypeResult {
  if (mseTypeSupport(type) === undefined) return '';
  const mime = parseMimeType(type);
  return mime && codecsOf(mime) !== undefined ? 'probably' : 'maybe';
}
