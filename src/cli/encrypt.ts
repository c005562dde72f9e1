// `emekit encrypt IN OUT --key [TARGET=]KID:KEY … | --key-from-store`: protects a clear MP4 with Common Encryption
// (fragmented by default, or progressive), with a progress bar on a terminal and a report like decrypt's.

import { promises as fsp } from 'node:fs';
import type { EncryptOptions, EncryptReport, Scheme } from '../media/index.js';
import { parse } from './args.js';
import { chooseKeys, explainMediaError, parseScheme, type KeyChoice } from './protect-args.js';
import { parseDuration } from './duration.js';
import { writeThroughTemporary } from './output-file.js';
import { reporter } from './report.js';

export const spec = {
  command: 'emekit encrypt',
  options: {
    key: { type: 'string', multiple: true },
    'key-from-store': { type: 'boolean' },
    db: { type: 'string' },
    label: { type: 'string' },
    scheme: { type: 'string', default: 'cenc' },
    fragment: { type: 'string', default: '2s' },
    progressive: { type: 'boolean' },
    rotate: { type: 'string' },
    'iv-size': { type: 'string' },
    pssh: { type: 'string', multiple: true },
    quiet: { type: 'boolean', short: 'q' },
  },
  operands: ['in', 'out'],
  help: `Usage: emekit encrypt <in> <out> --key [TARGET=]KID:KEY [--key ...] [options]
       emekit encrypt <in> <out> --key-from-store [--db LOCATION] [--label L] [options]

Protect a clear MP4 (progressive or fragmented; AVC, HEVC, AAC, AC-3, E-AC-3,
Opus) with Common Encryption, as ISO/IEC 23001-7 defines it: AVC/HEVC by
subsamples (NAL headers and slice header starts clear), audio whole. The output
carries a version 1 pssh for the W3C common system ID listing the key IDs
(what Clear Key reads). IVs are random.

Arguments:
  <in>                 clear MP4
  <out>                protected MP4 to write (nothing is left on failure)

Options:
  --key [TARGET=]KID:KEY
                       hex key ID and key; TARGET is video, audio or a track
                       ID (default: every track); repeatable
  --key-from-store     generate a key (one per key period with --rotate) and
                       record it, sealed, in the license server's store
                       (needs EMEKIT_MASTER_KEY, as 'emekit keys')
  --db LOCATION        the store: SQLite file or postgres:// URL
  --label LABEL        label of the generated keys (tokens can grant it)
  --scheme S           cenc (default), cbcs (1:9 pattern, constant IV), cens,
                       cbc1
  --fragment DURATION  fragment length, cut on video keyframes (default 2s)
  --progressive        progressive output (a progressive input only)
  --rotate DURATION    key rotation: a new key ID every DURATION (seig sample
                       groups and a pssh in the moof where keys change); with
                       --key-from-store, or --key for the first period and
                       keys from the store after it
  --iv-size 8|16       per-sample IV size (default 8; cbc1 16; cbcs uses a
                       constant IV)
  --pssh BASE64        another pssh box to carry in the moov (repeatable)
  -q, --quiet          print nothing but errors
  -h, --help           show this help
`,
} as const;

function reportLines(report: EncryptReport, seconds: number, bytes: number, output: string): string[] {
  const lines = report.tracks.flatMap((t) => [
    `track ${t.trackId} (${t.handler}) ${t.codec}: ${t.samples} samples, ${t.protected ? `${report.scheme} KID ${t.keyIds.join(',')}` : 'clear'}`,
    ...t.layoutNotes.map((note) => `track ${t.trackId}: warning: ${note}`),
  ]);
  const samples = report.tracks.reduce((s, t) => s + (t.protected ? t.samples : 0), 0);
  const layout = report.layout === 'fragmented' ? `${report.fragments} fragments` : 'progressive';
  lines.push(`encrypted ${samples} samples (${report.scheme}, ${layout}) in ${seconds.toFixed(2)} s, ${(bytes / 1e6 / Math.max(seconds, 1e-6)).toFixed(1)} MB/s → ${output}`);
  return lines;
}

export async function run(argv: string[]): Promise<void> {
  const args = parse(spec, argv);
  if (args === undefined) return;
  const [input, output] = args.operands as [string, string];
  const v = args.values;
  const show = await reporter('encrypting', v.quiet);
  let choice: KeyChoice | undefined;
  try {
    const scheme: Scheme = parseScheme(v.scheme);
    const fragmentDuration = parseDuration('--fragment', v.fragment);
    const rotateSeconds = v.rotate === undefined ? undefined : parseDuration('--rotate', v.rotate);
    const ivSize = v['iv-size'] === undefined ? undefined : Number(v['iv-size']);
    if (ivSize !== undefined && ivSize !== 8 && ivSize !== 16) throw new Error('--iv-size takes 8 or 16');
    if (ivSize !== undefined && scheme === 'cbcs') throw new Error('cbcs uses a constant IV: leave out --iv-size');
    const extraPssh = (v.pssh ?? []).map((text) => {
      const box = Buffer.from(text, 'base64');
      if (box.length < 32 || box.readUInt32BE(0) !== box.length || box.toString('latin1', 4, 8) !== 'pssh') throw new Error('--pssh takes a whole pssh box in base64');
      return box;
    });
    const { encryptMedia, enableArrayBufferTransfer } = await import('../media/index.js');
    choice = await chooseKeys(v, rotateSeconds !== undefined, show.say);
    enableArrayBufferTransfer();
    const options: EncryptOptions = {
      scheme,
      keys: choice.keys,
      layout: v.progressive ? 'progressive' : 'fragmented',
      fragmentDuration,
      // Reads and writes on libuv's pool (not decrypt's blocking I/O): the next fragment or piece is read, and the
      // last written, on the other core while this thread encrypts (~0.45 → ~0.3 CPU s on this thread, 197 MB).
      ...(ivSize ? { iv: { size: ivSize as 8 | 16 } } : {}),
      ...(extraPssh.length ? { extraPssh } : {}),
      ...(rotateSeconds !== undefined && choice.rotation ? { rotation: { seconds: rotateSeconds, key: choice.rotation } } : {}),
      onProgress: show.progress,
    };
    // process.hrtime: the `performance` global loads node:perf_hooks (~3 ms of a start on Node 20).
    const started = process.hrtime.bigint();
    // Written beside OUT and renamed into place on success: a failure never leaves a partial OUT nor destroys one.
    const report = await writeThroughTemporary(output, (temporary) => encryptMedia(input, temporary, options));
    show.stop();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const line of reportLines(report, seconds, (await fsp.stat(input)).size, output)) show.say(line);
  } catch (error) {
    show.stop();
    process.stderr.write(`emekit encrypt: ${explainMediaError(error)}\n`);
    process.exitCode = 1;
  } finally {
    await choice?.close();
  }
}
