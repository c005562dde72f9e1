// `emekit trace`: an EME trace file (createEME({ trace }) or EMEKIT_TRACE=file.jsonl) as a readable timeline.
import { readFileSync } from 'node:fs';
import { parse } from './args.js';
import { formatTimeline, parseTrace } from './trace-timeline.js';

export const spec = {
  command: 'emekit trace',
  options: {},
  operands: ['file.jsonl'],
  help: `Usage: emekit trace <file.jsonl>

Print an EME trace as a timeline: one line per call, outcome, event or
warning, with the ms since the first entry, each session in its own column.
Record one with EMEKIT_TRACE=file.jsonl (the emekit command, emekit/dom, any
createEME() without a trace option) or createEME({ trace: 'file.jsonl' }).

Options:
  -h, --help        show this help
`,
} as const;

export async function run(argv: string[]): Promise<void> {
  const args = parse(spec, argv);
  if (args === undefined) return;
  const [file] = args.operands;
  try {
    const entries = parseTrace(readFileSync(file!, 'utf8'));
    process.stdout.write(`${formatTimeline(entries).join('\n')}\n`);
  } catch (error) {
    console.error(`emekit trace: ${file}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
