// One fuzz process (started by fuzz/main.ts): mutates the seeds of one target and runs each mutant through it
// for the given time, reporting counts each second and every finding with its input. The input being run is also
// written to a file first (fuzz/current.ts), so that the parent can save it when this process dies (V8's heap limit)
// or hangs.
import { CurrentInput } from './current.js';
import { MEMORY_FACTOR } from './bounded.js';
import { mutate, rng } from './mutate.js';
import { ownClock, type OwnClock } from './own-time.js';
import { seeds } from './seeds.js';
import { RUN, reuseSessions, setUp, type Outcome, type Target } from './targets.js';

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
  /** The corpus's bytes: it is held in memory, so the process's RSS grows with it. */
  corpusBytes: number;
  harnessErrors: number;
  /**
   * Highest peak RSS of this process so far (bytes), and the longest any input took to settle (ms; less the time
   * the process waited for a CPU, fuzz/own-time.ts), with that input's wall time.
   */
  peakRss: number;
  slowestMs: number;
  slowestWallMs: number;
  /** Resident memory now (bytes): the parent reports it minute by minute, to show whether the process grows. */
  rss: number;
  /** CPU time used since the last report (ms, all threads): inputs per CPU-second do not depend on the load. */
  cpuMs: number;
  /** The largest rise of the peak RSS during one input (bytes), and that input's size: a spike, not growth. */
  largestRise: number;
  largestRiseInput: number;
}

export interface LoopFinding {
  type: 'finding';
  kind: 'undocumented' | 'hang' | 'memory';
  input: Uint8Array;
  detail: string;
}

const CORPUS_MAX = 2000;
/**
 * The corpus's bytes besides the seeds: the corpus lives in the process, and MP4 mutants (up to 256 KB) filled 2,000
 * entries with ~300 MB, which made the process's RSS grow with it (the mse target: 219 → 523 MB in 10 minutes,
 * against the 537 MB memory bound) and read as a leak.
 */
const CORPUS_BYTES_MAX = 64 * 1024 * 1024;

/**
 * Outcome signatures met so far, as a fixed table of bits (1 MB) indexed by a hash of each: a Set of the strings
 * grew without end (messages name boxes and fields: ~250 new ones a second for mp4, ~125,000 in 10 minutes). A
 * collision only makes a new outcome count as seen, once in ~60 at 125,000.
 */
class SeenSignatures {
  private readonly bits = new Uint32Array(1 << 18);

  /** Marks `sig` seen; whether it was new. */
  add(sig: string): boolean {
    // FNV-1a over the UTF-16 code units.
    let h = 0x811c9dc5;
    for (let i = 0; i < sig.length; i++) h = Math.imul(h ^ sig.charCodeAt(i), 0x01000193);
    const slot = (h >>> 0) & ((this.bits.length << 5) - 1);
    const mask = 1 << (slot & 31);
    const word = slot >>> 5;
    if ((this.bits[word]! & mask) !== 0) return false;
    this.bits[word]! |= mask;
    return true;
  }
}


/** What an outcome looks like without its numbers: a new one marks an input worth mutating further. */
function signature(o: Outcome): string {
  return [o.kind, o.name, o.code, o.box, o.field, (o.message ?? '').replace(/\d+/g, '#').slice(0, 60)].join('|');
}

/**
 * The input's outcome, or undefined when it has not settled within `limitMs` of its own time (fuzz/own-time.ts):
 * the timer is set in wall time and, when it fires early because the process waited for a CPU, set again for the rest.
 */
function settle(work: Promise<Outcome>, clock: OwnClock, limitMs: number): Promise<Outcome | undefined> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const check = (): void => {
      const left = limitMs - clock.elapsed();
      if (left <= 0) resolve(undefined);
      else timer = setTimeout(check, Math.max(left, 50));
    };
    timer = setTimeout(check, limitMs);
    work.then(
      (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      },
      (error: unknown) => {
        // A target never rejects (fuzz/targets.ts catches): if one does, the process ends and it is a crash.
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function send(m: LoopStats | LoopFinding | { type: 'done' }): Promise<void> {
  return new Promise((resolve) => process.send!(m, () => resolve()));
}

async function run(s: LoopStart): Promise<void> {
  reuseSessions(true);
  await setUp(s.target);
  const r = rng(s.seed);
  const pool = seeds(s.target);
  const corpus = [...pool];
  const seedBytes = pool.reduce((sum, b) => sum + b.length, 0);
  const seen = new SeenSignatures();
  const current = new CurrentInput(s.current);
  const end = Date.now() + s.seconds * 1000;
  let peak = process.resourceUsage().maxRSS * 1024;
  const stats: LoopStats = { type: 'stats', inputs: 0, ok: 0, rejected: 0, corpus: corpus.length, corpusBytes: seedBytes, harnessErrors: 0, peakRss: peak, slowestMs: 0, slowestWallMs: 0, rss: 0, cpuMs: 0, largestRise: 0, largestRiseInput: 0 };
  const clock = ownClock();
  let cpu = process.cpuUsage();
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
    clock.start();
    const outcome = await settle(RUN[s.target](input), clock, s.timeoutMs);
    // Own time is at most the wall time: read the run-queue wait only when the wall time could make this input the
    // slowest, or a hang.
    const wall = clock.wall();
    const ms = outcome === undefined || wall > Math.min(stats.slowestMs, s.timeoutMs) ? clock.elapsed() : wall;
    stats.inputs++;
    if (ms > stats.slowestMs) {
      stats.slowestMs = ms;
      stats.slowestWallMs = clock.wall();
    }
    if (outcome === undefined || ms > s.timeoutMs) {
      const detail = `${outcome === undefined ? 'not settled' : 'settled'} after ${ms.toFixed(0)} ms (wall ${clock.wall().toFixed(0)} ms)`;
      await send({ type: 'finding', kind: 'hang', input, detail });
      // Work may still be running: start afresh.
      break;
    }
    if (outcome.kind === 'undocumented') await send({ type: 'finding', kind: 'undocumented', input, detail: `${outcome.name}: ${outcome.message}` });
    else stats[outcome.kind]++;
    const rss = process.resourceUsage().maxRSS * 1024;
    if (rss > peak) {
      if (rss - peak > stats.largestRise) {
        stats.largestRise = rss - peak;
        stats.largestRiseInput = input.length;
      }
      peak = rss;
      stats.peakRss = rss;
      const limit = s.baseBytes + MEMORY_FACTOR * input.length;
      if (rss > limit) {
        await send({ type: 'finding', kind: 'memory', input, detail: `peak RSS ${(rss / 1e6).toFixed(0)} MB > ${(limit / 1e6).toFixed(0)} MB` });
        break;
      }
    }
    if (seen.add(signature(outcome))) {
      if (corpus.length < CORPUS_MAX && stats.corpusBytes + input.length <= seedBytes + CORPUS_BYTES_MAX) {
        corpus.push(input);
        stats.corpusBytes += input.length;
      } else if (corpus.length > pool.length) {
        // Full: the input takes a random entry's place, if the bytes stay within bounds.
        const at = pool.length + Math.floor(r() * (corpus.length - pool.length));
        const bytes = stats.corpusBytes - corpus[at]!.length + input.length;
        if (bytes <= seedBytes + CORPUS_BYTES_MAX) {
          corpus[at] = input;
          stats.corpusBytes = bytes;
        }
      }
      stats.corpus = corpus.length;
    }
    if (Date.now() - reported >= 1000) {
      stats.rss = process.memoryUsage.rss();
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      stats.cpuMs = (used.user + used.system) / 1000;
      await send(stats);
      stats.inputs = stats.ok = stats.rejected = stats.harnessErrors = 0;
      reported = Date.now();
    }
  }
  const used = process.cpuUsage(cpu);
  stats.cpuMs = (used.user + used.system) / 1000;
  await send(stats);
  await send({ type: 'done' });
  process.exit(0);
}

process.once('message', (s: LoopStart) => void run(s));
process.send!({ type: 'ready' });
