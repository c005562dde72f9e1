// One fuzz process (started by fuzz/main.ts): mutates the seeds of one target and runs each mutant through it
// for the given time, reporting counts each second and every finding with its input. The input being run is also
// written to a file first (fuzz/current.ts), so that the parent can save it when this process dies (V8's heap limit)
// or hangs.
import { CurrentInput } from './current.js';
import { MEMORY_FACTOR } from './bounded.js';
import { mutate, rng } from './mutate.js';
import { seeds } from './seeds.js';
import { RUN, reuseSessions, type Outcome, type Target } from './targets.js';

export interface LoopStart {
  target: Target;
  seconds: number;
  seed: number;
  /** File that holds the input being run. */
  current: string;
  timeoutMs: number;
  baseBytes: number;
}

export interface LoopStats {
  type: 'stats';
  inputs: number;
  ok: number;
  rejected: number;
  corpus: number;
  harnessErrors: number;
  /** Highest peak RSS of this process so far (bytes), and the longest any input took to settle (ms). */
  peakRss: number;
  slowestMs: number;
}

export interface LoopFinding {
  type: 'finding';
  kind: 'undocumented' | 'hang' | 'memory';
  input: Uint8Array;
  detail: string;
}

const CORPUS_MAX = 2000;


/** What an outcome looks like without its numbers: a new one marks an input worth mutating further. */
function signature(o: Outcome): string {
  return [o.kind, o.name, o.code, o.box, o.field, (o.message ?? '').replace(/\d+/g, '#').slice(0, 60)].join('|');
}

function send(m: LoopStats | LoopFinding | { type: 'done' }): Promise<void> {
  return new Promise((resolve) => process.send!(m, () => resolve()));
}

async function run(s: LoopStart): Promise<void> {
  reuseSessions(true);
  const r = rng(s.seed);
  const pool = seeds(s.target);
  const corpus = [...pool];
  const seen = new Set<string>();
  const current = new CurrentInput(s.current);
  const end = Date.now() + s.seconds * 1000;
  let peak = process.resourceUsage().maxRSS * 1024;
  const stats: LoopStats = { type: 'stats', inputs: 0, ok: 0, rejected: 0, corpus: corpus.length, harnessErrors: 0, peakRss: peak, slowestMs: 0 };
  let reported = Date.now();
  while (Date.now() < end) {
    let input: Buffer;
    try {
      input = mutate(s.target, r, corpus[Math.floor(r() * corpus.length)]!, pool);
    } catch (e) {
      // A mutator's own failure is the harness's bug, not the target's: note it and go on.
      stats.harnessErrors++;
      if (stats.harnessErrors === 1) console.error(e);
      continue;
    }
    current.write(input);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      RUN[s.target](input),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), s.timeoutMs))),
    ]);
    clearTimeout(timer);
    const ms = performance.now() - started;
    stats.inputs++;
    if (ms > stats.slowestMs) stats.slowestMs = ms;
    if (outcome === undefined || ms > s.timeoutMs) {
      await send({ type: 'finding', kind: 'hang', input, detail: `${outcome === undefined ? 'not settled' : 'settled'} after ${ms.toFixed(0)} ms` });
      // Work may still be running: start afresh.
      break;
    }
    if (outcome.kind === 'undocumented') await send({ type: 'finding', kind: 'undocumented', input, detail: `${outcome.name}: ${outcome.message}` });
    else stats[outcome.kind]++;
    const rss = process.resourceUsage().maxRSS * 1024;
    if (rss > peak) {
      peak = rss;
      stats.peakRss = rss;
      const limit = s.baseBytes + MEMORY_FACTOR * input.length;
      if (rss > limit) {
        await send({ type: 'finding', kind: 'memory', input, detail: `peak RSS ${(rss / 1e6).toFixed(0)} MB > ${(limit / 1e6).toFixed(0)} MB` });
        break;
      }
    }
    const sig = signature(outcome);
    if (!seen.has(sig)) {
      seen.add(sig);
      if (corpus.length < CORPUS_MAX) corpus.push(input);
      else corpus[pool.length + Math.floor(r() * (CORPUS_MAX - pool.length))] = input;
      stats.corpus = corpus.length;
    }
    if (Date.now() - reported >= 1000) {
      await send(stats);
      stats.inputs = stats.ok = stats.rejected = stats.harnessErrors = 0;
      reported = Date.now();
    }
  }
  await send(stats);
  await send({ type: 'done' });
  process.exit(0);
}

process.once('message', (s: LoopStart) => void run(s));
process.send!({ type: 'ready' });
