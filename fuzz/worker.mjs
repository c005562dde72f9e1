// Runs fuzz inputs one at a time for a BoundedRunner (fuzz/bounded.ts), in a child process whose heap is limited:
// an input that exhausts it ends this process (V8's fatal heap limit cannot be caught), not the runner's.
import { register } from 'tsx/esm/api';

register();
const { RUN } = await import('./targets.ts');

process.on('message', async ({ target, input }) => {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const start = performance.now();
  let outcome;
  try {
    outcome = await RUN[target](bytes);
  } catch (e) {
    outcome = { kind: 'undocumented', name: 'HarnessError', message: String(e?.stack ?? e) };
  }
  // maxRSS is this process's peak so far (KB): the runner replaces the process when one input raises it too far.
  process.send({ outcome, ms: performance.now() - start, peakRss: process.resourceUsage().maxRSS * 1024 });
});
process.send({ ready: true, peakRss: process.resourceUsage().maxRSS * 1024 });
