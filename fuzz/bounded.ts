// Runs inputs through a target in a child process with a heap limit, a memory limit and a time limit, so that an
// input that hangs or eats memory is reported (and the process replaced) instead of taking the caller down.
// A child process rather than a worker thread: a worker's resourceLimits do not stop a large array from growing
// past them, and V8's fatal heap limit then ends the whole process.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ownClock } from './own-time.js';
import type { Outcome, Target } from './targets.js';

export interface Limits {
  /** Settle within this many milliseconds (less the time the process waits for a CPU: fuzz/own-time.ts). */
  timeoutMs: number;
  /** Fixed memory base in MB: the process with the code loaded and warmed up. */
  baseMb?: number;
}

export interface Verdict {
  /** 'ok' | 'rejected' (a documented error), or a finding: 'undocumented', 'hang', 'memory' (over the limit), 'crash'. */
  kind: Outcome['kind'] | 'hang' | 'memory' | 'crash';
  outcome?: Outcome;
  ms: number;
  /** Growth of the process's peak RSS while this input ran, in bytes (0 when it stayed under an earlier peak). */
  rssGrowth?: number;
  detail?: string;
}

const BASE_MB = 128;
/** Memory an input may take: 64 times its size above the base (the parser contract's bound, src/media/boxes/box.ts). */
export const MEMORY_FACTOR = 64;

interface Reply {
  ready?: boolean;
  outcome: Outcome;
  ms: number;
  peakRss: number;
}

export class BoundedRunner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  /** Peak RSS of the current process before the input now running. */
  private peak = 0;
  private readonly baseBytes: number;

  constructor(private readonly limits: Limits) {
    this.baseBytes = (limits.baseMb ?? BASE_MB) * 1024 * 1024;
  }

  /** Bytes the process may reach while running `input`. */
  limitFor(inputSize: number): number {
    return this.baseBytes + MEMORY_FACTOR * inputSize;
  }

  private start(heapMb: number): Promise<void> {
    const child = fork(fileURLToPath(new URL('./worker.mjs', import.meta.url)), [], {
      execArgv: [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=16'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr?.resume();
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      child.once('message', (r: Reply) => {
        this.peak = r.peakRss;
        resolve();
      });
      child.once('exit', (code) => reject(new Error(`fuzz worker exited (${code}) while starting`)));
    });
    return this.ready;
  }

  async run(target: Target, input: Uint8Array): Promise<Verdict> {
    const limit = this.limitFor(input.length);
    if (!this.child) await this.start(Math.ceil(limit / (1024 * 1024)));
    else await this.ready;
    const child = this.child!;
    const started = performance.now();
    const clock = ownClock(child.pid);
    return new Promise<Verdict>((resolve) => {
      const done = (v: Verdict, replace: boolean) => {
        clearTimeout(timer);
        clock.close();
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (replace) this.kill();
        resolve(v);
      };
      const onMessage = (r: Reply) => {
        const growth = Math.max(0, r.peakRss - this.peak);
        this.peak = Math.max(this.peak, r.peakRss);
        const over = r.peakRss > limit && growth > 0;
        const v: Verdict = { kind: over ? 'memory' : r.outcome.kind, outcome: r.outcome, ms: r.ms, rssGrowth: growth };
        if (over) v.detail = `peak RSS ${(r.peakRss / 1e6).toFixed(0)} MB > limit ${(limit / 1e6).toFixed(0)} MB`;
        // A process that has grown is replaced, so that the next input's peak is its own.
        done(v, over || r.peakRss > this.baseBytes);
      };
      const onExit = (code: number | null, signal: string | null) =>
        done({ kind: 'crash', ms: performance.now() - started, detail: `worker ended: ${signal ?? `exit ${code}`} (134 / SIGABRT: V8's heap limit)` }, true);
      // Set in wall time, and again for the rest when the child spent part of it waiting for a CPU.
      const check = (): void => {
        const left = this.limits.timeoutMs - clock.elapsed();
        if (left > 0) timer = setTimeout(check, Math.max(left, 50));
        else done({ kind: 'hang', ms: performance.now() - started, detail: `no answer in ${this.limits.timeoutMs} ms (${clock.wall().toFixed(0)} ms wall)` }, true);
      };
      let timer = setTimeout(check, this.limits.timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ target, input });
    });
  }

  private kill(): void {
    const c = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (c && c.exitCode === null) c.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.kill();
  }
}

/** Whether a verdict is a finding: anything but a clean accept or a documented rejection. */
export function isFinding(v: Verdict): boolean {
  return v.kind !== 'ok' && v.kind !== 'rejected';
}
