// For own-time.test.ts: a process doing nothing but what it is told, then reporting its OwnClock: on
// { cpuMs }, spins until its main thread has run that much CPU; on { sleepMs }, waits on a timer that long. It also
// reports how long it waited for a CPU meanwhile, read on its own.
import { readFileSync } from 'node:fs';
import { ownClock } from '../../fuzz/own-time.js';

/** CPU time this thread has run (ms), from /proc/thread-self/schedstat's first field. */
const runMs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
/** Time this thread has waited for a CPU (ms), the second field, read here apart from the clock under test. */
const queuedMs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[1]) / 1e6;

process.on('message', async ({ cpuMs, sleepMs }: { cpuMs?: number; sleepMs?: number }) => {
  const clock = ownClock();
  const ran0 = runMs();
  const queued0 = queuedMs();
  if (cpuMs !== undefined) while (runMs() - ran0 < cpuMs);
  if (sleepMs !== undefined) await new Promise((resolve) => setTimeout(resolve, sleepMs));
  process.send!({ own: clock.elapsed(), wall: clock.wall(), ran: runMs() - ran0, queued: queuedMs() - queued0 });
});
process.send!('ready');
