// `emekit package IN... --out DIR`: clear inputs → an encrypted fragmented presentation with a DASH MPD and HLS
// playlists carrying Clear Key signalling, ready for `emekit serve` to license.

import { parse } from './args.js';
import { chooseKeys, explainMediaError, type KeyChoice } from './protect-args.js';
import { parseDuration } from './duration.js';
import { reporter } from './report.js';

export const spec = {
  command: 'emekit package',
  options: {
    out: { type: 'string' },
    key: { type: 'string', multiple: true },
    'key-from-store': { type: 'boolean' },
    db: { type: 'string' },
    label: { type: 'string' },
    scheme: { type: 'string', default: 'cenc' },
    segment: { type: 'string', default: '2s' },
    rotate: { type: 'string' },
    'license-url': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  },
  rest: 'in',
  required: ['out'],
  help: `Usage: emekit package <in>... --out DIR --key [TARGET=]KID:KEY [--key ...] [options]
       emekit package <in>... --out DIR --key-from-store [--db LOCATION] [options]

Encrypt clear MP4 inputs (a video and audio tracks, in one file or several)
into a fragmented presentation: per track an init segment and media segments
cut on video keyframes, a DASH manifest (manifest.mpd: mp4protection with
cenc:default_KID, Clear Key ContentProtection with the license server as
clearkey:Laurl) and HLS playlists (master.m3u8: fMP4 with EXT-X-MAP and
EXT-X-KEY KEYFORMAT="org.w3.clearkey"). DIR must not exist or be empty; it
appears whole or not at all.

Options:
  --out DIR            the presentation's folder
  --key [TARGET=]KID:KEY
                       hex key ID and key; TARGET is video, audio or a track
                       ID (default: every track); repeatable
  --key-from-store     generate a key and record it, sealed, in the license
                       server's store (needs EMEKIT_MASTER_KEY)
  --db LOCATION        the store: SQLite file or postgres:// URL
  --label LABEL        label of the generated key (tokens can grant it)
  --scheme S           cenc (default; HLS SAMPLE-AES-CTR) or cbcs (SAMPLE-AES)
  --segment DURATION   segment length, cut on video keyframes (default 2s)
  --rotate DURATION    key rotation: a new key every DURATION (with
                       --key-from-store): seig groups, a pssh in the moof
                       where it starts, a new EXT-X-KEY in HLS
  --license-url URL    the Clear Key license server players should ask
  -q, --quiet          print nothing but errors
  -h, --help           show this help
`,
} as const;

export async function run(argv: string[]): Promise<void> {
  const args = parse(spec, argv);
  if (args === undefined) return;
  const v = args.values;
  const show = await reporter('packaging', v.quiet);
  let choice: KeyChoice | undefined;
  try {
    if (v.scheme !== 'cenc' && v.scheme !== 'cbcs') throw new Error('--scheme takes cenc or cbcs for packaging');
    const segmentDuration = parseDuration('--segment', v.segment);
    if (v['license-url'] !== undefined && !/^https?:\/\//.test(v['license-url'])) throw new Error('--license-url takes an http(s) URL');
    const rotateSeconds = v.rotate === undefined ? undefined : parseDuration('--rotate', v.rotate);
    choice = await chooseKeys(v, rotateSeconds !== undefined, show.say);
    const { packageMedia, enableArrayBufferTransfer } = await import('../media/index.js');
    enableArrayBufferTransfer();
    // process.hrtime: the `performance` global loads node:perf_hooks (~3 ms of a start on Node 20).
    const started = process.hrtime.bigint();
    const report = await packageMedia(args.operands, v.out!, {
      scheme: v.scheme,
      keys: choice.keys,
      segmentDuration,
      ...(rotateSeconds !== undefined && choice.rotation ? { rotation: { seconds: rotateSeconds, key: choice.rotation } } : {}),
      ...(v['license-url'] ? { licenseUrl: v['license-url'] } : {}),
      onProgress: show.progress,
    });
    show.stop();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const r of report.presentation.representations) {
      show.say(`${r.id}: ${r.codecs}, ${r.segments.length} segments, ${Math.round(r.bandwidth / 1000)} kb/s, ${r.keyId ? `${v.scheme} KID ${r.keyId.toString('hex')}` : 'clear'}`);
    }
    for (const note of report.layoutNotes) show.say(`warning: ${note}`);
    show.say(`packaged ${report.presentation.duration.toFixed(2)} s in ${seconds.toFixed(2)} s → ${v.out}/${report.dash}, ${v.out}/${report.hls}`);
  } catch (error) {
    show.stop();
    process.stderr.write(`emekit package: ${explainMediaError(error)}\n`);
    process.exitCode = 1;
  } finally {
    await choice?.close();
  }
}
