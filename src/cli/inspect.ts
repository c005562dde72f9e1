// `emekit inspect FILE`: protection summary of an MP4 (tracks, codecs, schemes, key IDs, IVs, patterns, pssh).
import { parse } from './args.js';
import { MediaError } from '../media/errors.js';
import type { MediaInfo } from '../media/index.js';

function text(info: MediaInfo): string {
  const lines = [`layout: ${info.fragmented ? 'fragmented' : 'progressive'}`];
  for (const t of info.tracks) {
    const parts = [`track ${t.trackId} (${t.handler || '?'})`, `codec ${t.codec}${t.sampleEntry !== t.codec ? ` in ${t.sampleEntry}` : ''}`];
    if (t.protected) {
      parts.push(`scheme ${t.scheme ?? '?'}${t.schemeVersion ? ` v${t.schemeVersion}` : ''}`);
      parts.push(`KID ${t.defaultKeyId ?? '-'}`);
      parts.push(t.constantIv ? 'constant IV' : `IV ${t.perSampleIvSize ?? '?'} bytes`);
      if (t.pattern) parts.push(`pattern ${t.pattern}`);
      if (t.groupKeyIds.length > 0) parts.push(`rotation KIDs ${t.groupKeyIds.join(',')}`);
    } else parts.push('clear');
    lines.push(parts.join(', '));
  }
  if (info.pssh.length === 0) lines.push('pssh: none');
  for (const p of info.pssh) {
    lines.push(`pssh v${p.version} in ${p.location}: ${p.systemId}${p.system ? ` (${p.system})` : ''}${p.keyIds.length ? `, KIDs ${p.keyIds.join(',')}` : ''}, ${p.dataSize} data bytes`);
  }
  return lines.join('\n');
}

export const spec = {
  command: 'emekit inspect',
  options: { json: { type: 'boolean' } },
  operands: ['file'],
  help: `Usage: emekit inspect [--json] <file>

Show the tracks, codecs, protection schemes, key IDs, IV sizes, patterns and
pssh boxes of an MP4.

Arguments:
  <file>      MP4 file (fragmented or progressive)

Options:
  --json      machine-readable output
  -h, --help  show this help
`,
} as const;

export async function run(argv: string[]): Promise<void> {
  const args = parse(spec, argv);
  if (args === undefined) return;
  const [file] = args.operands as [string];
  try {
    // Loaded here so that other commands do not pay for the media layer at start-up.
    const { inspectMedia } = await import('../media/inspect.js');
    // A scan is many small reads: blocking calls on this thread beat a thread-pool hand-off for each.
    const info = await inspectMedia(file, { blockingIo: true });
    process.stdout.write(args.values.json ? `${JSON.stringify(info, null, 2)}\n` : `${text(info)}\n`);
  } catch (e) {
    const msg = e instanceof MediaError ? `${e.code}: ${e.message}` : (e as Error).message;
    process.stderr.write(`emekit inspect: ${file}: ${msg}\n`);
    process.exitCode = 1;
  }
}
