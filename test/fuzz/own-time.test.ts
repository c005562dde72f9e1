// The fuzzer's time limit (fuzz/own-time.ts): wall time less the time the thread waited for a CPU. A process
// sleeping or working is charged all of it; a process kept off the CPU by the machine is not charged the wait.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ownClock, reportsRunQueue } from '../../fuzz/own-time.js';

const runMs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
const hasTaskset = existsSync('/usr/bin/taskset');
/** The kernel updates a running thread's schedstat at scheduler ticks and switches: a few ms of slack. */
const TICK_MS = 10;

interface Report {
  own: number;
  wall: number;
  ran: number;
  /** The child's run-queue wait over the same span, read apart from the clock. */
  queued: number;
}

async function withChild(work: (child: ChildProcess, ask: (m: object) => Promise<Report>) => Promise<void>): Promise<void> {
  const child = fork(fileURLToPath(new URL('./spin-child.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    await new Promise((resolve) => child.once('message', resolve));
    await work(child, (m) => {
      const report = new Promise<Report>((resolve) => child.once('message', resolve));
      child.send(m);
      return report;
    });
  } finally {
    child.kill('SIGKILL');
  }
}

describe.skipIf(!reportsRunQueue())('own time (Linux /proc/PID/schedstat)', () => {
  it('charges a process that waits on a timer the whole wait, and never more than the wall time', async () => {
    await withChild(async (_child, ask) => {
      // All of the sleep is charged; on a loaded machine the wait for a CPU once the timer fired is not (and only it).
      const { own, wall, queued } = await ask({ sleepMs: 200 });
      expect(own).toBeGreaterThanOrEqual(200 - TICK_MS - queued);
      expect(own).toBeLessThanOrEqual(wall + 1);
    });
  }, 30_000);

  it('charges at least the CPU time the thread ran', () => {
    const clock = ownClock();
    const ran0 = runMs();
    while (runMs() - ran0 < 100);
    const ran = runMs() - ran0;
    expect(clock.elapsed()).toBeGreaterThanOrEqual(ran - TICK_MS);
    expect(clock.elapsed()).toBeLessThanOrEqual(clock.wall() + 1);
    clock.close();
  });

  it.skipIf(!hasTaskset)('does not charge the time a process waits for a CPU another process holds', async () => {
    // A busy process and the measured one on the same CPU, the measured one at nice 19: it gets ~1/70 of the CPU.
    const hog = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
    try {
      await withChild(async (child, ask) => {
        execFileSync('taskset', ['-a', '-p', '-c', '0', String(hog.pid)], { stdio: 'ignore' });
        execFileSync('taskset', ['-a', '-p', '-c', '0', String(child.pid)], { stdio: 'ignore' });
        setPriority(child.pid!, 19);
        const { own, wall, ran } = await ask({ cpuMs: 30 });
        // 30 ms of CPU took far longer on the wall; the clock charges about the CPU time, not the wait.
        expect(ran).toBeGreaterThanOrEqual(30);
        expect(wall).toBeGreaterThan(4 * ran);
        expect(own).toBeLessThan(wall / 2);
        expect(own).toBeGreaterThanOrEqual(ran - TICK_MS);
      });
    } finally {
      hog.kill('SIGKILL');
    }
  }, 60_000);
});
