// The parsers under test, each driven through the public API with one input, and what counts as a documented
// rejection for each. Shared by `npm run fuzz` and test/regressions/replay.test.ts.
import { Writable } from 'node:stream';
import { decryptMedia, extractInitData, inspectMedia, listSamples, MediaError } from '../src/media/index.js';

export const TARGETS = ['mp4'] as const;
export type Target = (typeof TARGETS)[number];

/** How one input ended: accepted, rejected with a documented error, or something else (a finding). */
export interface Outcome {
  kind: 'ok' | 'rejected' | 'undocumented';
  /** Error name, MediaError code, box and field when rejected. */
  name?: string;
  code?: string;
  box?: string;
  field?: string;
  message?: string;
}

const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const anyKey = (): Buffer => Buffer.alloc(16, 7);

function describe(error: unknown, documented: boolean): Outcome {
  const e = error as { name?: unknown; code?: unknown; box?: unknown; field?: unknown; message?: unknown; stack?: unknown };
  const out: Outcome = { kind: documented ? 'rejected' : 'undocumented', name: String(e?.name ?? typeof error) };
  if (typeof e?.code === 'string') out.code = e.code;
  if (typeof e?.box === 'string') out.box = e.box;
  if (typeof e?.field === 'string') out.field = e.field;
  out.message = documented ? String(e?.message) : String(e?.stack ?? e?.message ?? error);
  return out;
}

/** Runs `steps` in order; the first rejection ends the input. */
async function settle(steps: (() => Promise<unknown>)[], documented: (e: unknown) => boolean): Promise<Outcome> {
  for (const step of steps) {
    try {
      await step();
    } catch (e) {
      return describe(e, documented(e));
    }
  }
  return { kind: 'ok' };
}

/** ISO-BMFF: inspectMedia, extractInitData, decryptMedia and listSamples from bytes. */
async function mp4(input: Buffer): Promise<Outcome> {
  // A MediaError whose code is one of its documented codes: anything else (RangeError, TypeError...) is a finding.
  const documented = (e: unknown) => e instanceof MediaError && e.code !== undefined;
  const results: Outcome[] = [];
  for (const step of [
    () => inspectMedia(input),
    () => extractInitData(input),
    () => decryptMedia(input, sink(), { keys: anyKey, verify: false }),
    async () => listSamples(input),
  ]) {
    const r = await settle([step], documented);
    if (r.kind === 'undocumented') return r;
    results.push(r);
  }
  return results.find((r) => r.kind === 'rejected') ?? { kind: 'ok' };
}

export const RUN: Record<Target, (input: Buffer) => Promise<Outcome>> = { mp4 };
