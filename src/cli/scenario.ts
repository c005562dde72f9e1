// `emekit scenario SCRIPT.json IN.mp4 --key KID:KEY … | --license-url URL [--token T]`: replays a test key system
// script (emekit/testing's JSON form of timed steps) against a player's EME flow for the file, and prints what the
// page saw as a timeline, as `emekit trace` does, in the scenario's own time.
import { readFileSync } from 'node:fs';
import { parseScript, type ScriptStep } from '../testing/index.js';
import { parse } from './args.js';
import { explainEmeFailure, licenseHelp, licenseOptions, licenseSource } from './license-args.js';
import { parseDuration } from './duration.js';
import { formatTimeline } from './trace-timeline.js';

export const spec = {
  command: 'emekit scenario',
  options: {
    ...licenseOptions,
    until: { type: 'string' },
  },
  operands: ['script.json', 'in.mp4'],
  help: `Usage: emekit scenario <script.json> <in.mp4> --key KID:KEY [--key KID:KEY ...]
       emekit scenario <script.json> <in.mp4> --license-url URL [--token JWT]

Replay a test key system script (emekit/testing's JSON form) against the EME
flow a player runs for <in.mp4>: access, MediaKeys, one session (index 0), its
license, and every later message (renewals) answered the same way. The steps
act at their "at" ms on a virtual clock, so minutes replay at once. Prints the
timeline: ms of the scenario, each step among the calls and events it caused.

  [{ "at": 0, "do": "renewEvery", "seconds": 30 },
   { "at": 45000, "do": "setStatus", "keyId": "<hex>", "status": "output-restricted" },
   { "at": 60000, "do": "setExpiration", "inSeconds": 10 }]

Steps: renew, renewEvery, setStatus, setExpiration, close, crash, setHdcp, fail,
setLatency, failStore (see src/testing/script.ts).

Arguments:
  <script.json>      the steps, a JSON array
  <in.mp4>           protected MP4 whose init data starts the flow

Options:
${licenseHelp}  --until DURATION   how long to run after the license (2s, 90s; default: the
                     last step's time)
  -h, --help         show this help
`,
} as const;

/** The script file's steps, or a one-line reason it has none (not JSON, a bad step, a session that is not there). */
function readScript(file: string): ScriptStep[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`);
  }
  const steps = parseScript(json);
  const beyond = steps.findIndex((step) => (step.session ?? 0) > 0);
  if (beyond >= 0) throw new Error(`script step ${beyond}: there is no session ${steps[beyond]!.session}: the scenario opens one session, index 0`);
  return steps;
}

export async function run(argv: string[]): Promise<void> {
  const args = parse(spec, argv);
  if (args === undefined) return;
  const [scriptFile, input] = args.operands as [string, string];
  const fail = (message: string) => {
    process.stderr.write(`emekit scenario: ${message}\n`);
    process.exitCode = 1;
  };
  let steps: ScriptStep[];
  let until: number | undefined;
  let license;
  try {
    steps = readScript(scriptFile);
  } catch (error) {
    return fail(`${scriptFile}: ${(error as Error).message}`);
  }
  try {
    until = args.values.until === undefined ? undefined : parseDuration('--until', args.values.until) * 1000;
    license = licenseSource(args.values);
  } catch (error) {
    return fail(explainEmeFailure(error));
  }
  try {
    // Loaded here so that other commands do not pay for the EME and media layers at start-up.
    const { replayScenario } = await import('./scenario-replay.js');
    const result = await replayScenario({ input, steps, license, ...(until !== undefined && { until }) });
    process.stdout.write(`${formatTimeline(result.entries).join('\n')}\n`);
    if (result.error !== undefined) fail(explainEmeFailure(result.error));
  } catch (error) {
    fail(explainEmeFailure(error));
  }
}
