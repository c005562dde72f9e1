// The time an input takes, less the time the machine kept the process waiting for a CPU: what the fuzzer's hang
// limit is measured in. Wall time alone made the limit depend on the load (a nice'd fuzz process on a busy 2-core
// machine waits most of its time in the run queue: 4.1 s for an input that needs 10 ms). CPU time alone would miss an
// input that stalls without working (a promise that never settles uses no CPU). Linux reports, per thread, the time
// it spent runnable but not running (/proc/PID/schedstat, second field: run_delay in ns); wall time minus that
// delay, for the main thread (the one running JavaScript: the thread group leader whose stats /proc/PID/schedstat
// gives), counts everything the input does or waits for, except the CPU the machine did not give it.
import { closeSync, openSync, readSync } from 'node:fs';

const buffer = Buffer.alloc(128);

/** Milliseconds the thread has spent waiting for a CPU; undefined where Linux does not report it. */
function runQueueMs(fd: number): number | undefined {
  try {
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const delayNs = Number(buffer.toString('latin1', 0, n).split(' ')[1]);
    return Number.isFinite(delayNs) ? delayNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

export interface OwnClock {
  /** Milliseconds since start() less the time the process waited for a CPU meanwhile (wall time where unknown). */
  elapsed(): number;
  /** Wall milliseconds since start(). */
  wall(): number;
  start(): void;
  close(): void;
}

/**
 * A clock for the main thread of process `pid`, or for the calling thread (the default). Wall time when
 * /proc/.../schedstat cannot be read.
 */
export function ownClock(pid?: number): OwnClock {
  let fd: number | undefined;
  try {
    fd = openSync(pid === undefined ? '/proc/thread-self/schedstat' : `/proc/${pid}/schedstat`, 'r');
  } catch {
    fd = undefined;
  }
  // The last value read is kept once the file cannot be read (the process has exited).
  let last = 0;
  const waited = (): number => (last = (fd === undefined ? undefined : runQueueMs(fd)) ?? last);
  let wall0 = performance.now();
  let waited0 = waited();
  return {
    start() {
      wall0 = performance.now();
      waited0 = waited();
    },
    wall: () => performance.now() - wall0,
    elapsed: () => {
      // The wait first: a preemption between the two reads then counts as the input's time, not the machine's.
      const wait = waited() - waited0;
      return performance.now() - wall0 - wait;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Whether this machine reports run-queue waits (else every OwnClock measures wall time). */
export function reportsRunQueue(): boolean {
  let fd: number | undefined;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
    return runQueueMs(fd) !== undefined;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
