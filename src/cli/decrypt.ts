// `emekit decrypt IN OUT --key KID:KEY … | --license-url URL [--token T]`: decrypts through the EME API itself
// (platform → MediaKeys → session → license → update → decrypt), with a progress bar on a terminal.

import { parse } from './args.js';
import { explainEmeFailure, licenseHelp, licenseOptions, licenseSource } from './license-args.js';
import { writeThroughTemporary } from './output-file.js';
import { reporter } from './report.js';

export const spec = {
  command: 'emekit decrypt',
  options: {
    ...licenseOptions,
    quiet: { type: 'boolean', short: 'q' },
  },
  operands: ['in', 'out'],
  help: `Usage: emekit decrypt <in> <out> --key KID:KEY [--key KID:KEY ...] [-q]
       emekit decrypt <in> <out> --license-url URL [--token JWT] [-q]

Decrypt a Common Encryption MP4 (cenc, cbcs, cens, cbc1) through the EME flow:
access, session, license request, update, decrypt. A progress bar shows on a
terminal.

Arguments:
  <in>               protected MP4 (fragmented or progressive)
  <out>              clear MP4 to write

Options:
${licenseHelp}  -q, --quiet        print nothing but errors
  -h, --help         show this help
`,
} as const;

export async function run(argv: string[]): Promise<void> {
  const args = parse(spec, argv);
  if (args === undefined) return;
  const [input, output] = args.operands as [string, string];
  const { quiet } = args.values;
  const show = await reporter('decrypting', quiet);
  const say = show.say;
  try {
    const license = licenseSource(args.values);
    // Loaded here so that other commands do not pay for the EME and media layers at start-up.
    const { decryptThroughEme, enableArrayBufferTransfer } = await import('./decrypt-flow.js');
    // This process is ours: let node:crypto's results be freed as soon as they are copied (a V8 flag on
    // Node 20, see crypto-output.ts), and read and write without thread-pool hand-offs (blockingIo).
    enableArrayBufferTransfer();
    const result = await writeThroughTemporary(output, (temporary) =>
      decryptThroughEme({
        input,
        output: temporary,
        license,
        tuning: { blockingIo: true },
        onStep: (step, detail) => {
          if (step === 'access') say(`access: org.w3.clearkey ${JSON.stringify(detail)}`);
          if (step === 'message') say(`license request: ${JSON.stringify((detail as { body: unknown }).body)}`);
          if (step === 'keystatuses' && Object.keys(detail as object).length > 0) say(`key statuses: ${Object.entries(detail as Record<string, string>).map(([k, s]) => `${k}=${s}`).join(' ')}`);
        },
        onProgress: show.progress,
      }),
    );
    show.stop();
    const { report } = result;
    say(`decrypted ${report.samplesDecrypted} samples (${report.schemes.join(', ')}) in ${result.seconds.toFixed(2)} s, ${(result.bytes / 1e6 / result.seconds).toFixed(1)} MB/s → ${output}`);
  } catch (error) {
    show.stop();
    process.stderr.write(`emekit decrypt: ${explainEmeFailure(error)}\n`);
    process.exitCode = 1;
  }
}
