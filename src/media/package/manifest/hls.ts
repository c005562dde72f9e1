// HLS playlists for fMP4 (RFC 8216bis): a media playlist per representation (EXT-X-KEY with METHOD=SAMPLE-AES-CTR for
// cenc or SAMPLE-AES for cbcs and KEYFORMAT="org.w3.clearkey", the key ID as KEYID and as a data URI, then EXT-X-MAP
// and the segments), and a master playlist: video variants with the audio as an EXT-X-MEDIA rendition group.
import { segmentPath, type Presentation, type Representation } from './presentation.js';

function keyTag(p: Presentation, keyId: Buffer): string {
  const method = p.scheme === 'cbcs' ? 'SAMPLE-AES' : 'SAMPLE-AES-CTR';
  return `#EXT-X-KEY:METHOD=${method},URI="data:text/plain;base64,${keyId.toString('base64')}",KEYID=0x${keyId.toString('hex')},KEYFORMAT="org.w3.clearkey",KEYFORMATVERSIONS="1"`;
}

/** The media playlist of `r`, whose paths are relative to its own folder. */
export function mediaPlaylist(p: Presentation, r: Representation): string {
  const seconds = r.segments.map((s) => s.duration / r.timescale);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(Math.max(...seconds) - 1e-9))}`,
    '#EXT-X-MEDIA-SEQUENCE:1',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  if (r.keyId) lines.push(keyTag(p, r.keyId));
  const local = (path: string) => path.slice(r.id.length + 1);
  lines.push(`#EXT-X-MAP:URI="${local(r.init)}"`);
  let key = r.keyId;
  r.segments.forEach((s, i) => {
    // Key rotation: a new EXT-X-KEY applies from the segment where the key changes.
    if (s.keyId && key && !s.keyId.equals(key)) lines.push(keyTag(p, s.keyId));
    key = s.keyId;
    lines.push(`#EXTINF:${seconds[i]!.toFixed(6)},`, local(segmentPath(r, i + 1)));
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

export const playlistPath = (r: Representation): string => `${r.id}/playlist.m3u8`;

export function masterPlaylist(p: Presentation): string {
  const videos = p.representations.filter((r) => r.kind === 'video');
  const audios = p.representations.filter((r) => r.kind === 'audio');
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  audios.forEach((a, i) => {
    lines.push(`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="${a.id}",DEFAULT=${i === 0 ? 'YES' : 'NO'},AUTOSELECT=YES,CHANNELS="${a.channels}",URI="${playlistPath(a)}"`);
  });
  const audioPeak = Math.max(0, ...audios.map((a) => a.bandwidth));
  const audioCodecs = [...new Set(audios.map((a) => a.codecs))];
  for (const v of videos) {
    const codecs = [v.codecs, ...audioCodecs].join(',');
    const group = audios.length > 0 ? ',AUDIO="audio"' : '';
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${v.bandwidth + audioPeak},CODECS="${codecs}",RESOLUTION=${v.width}x${v.height}${group}`, playlistPath(v));
  }
  if (videos.length === 0) for (const a of audios) lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${a.bandwidth},CODECS="${a.codecs}"`, playlistPath(a));
  lines.push('');
  return lines.join('\n');
}
