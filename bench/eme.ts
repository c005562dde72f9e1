// `npm run bench`: full Clear Key cycles per second in one process, and heap per 10,000 open sessions.
// A cycle: createSession → generateRequest(keyids) → message → update(license) → keystatuseschange → close.
// Printed, never asserted. Run with --expose-gc (the npm script does) for the heap figures.
import { createEME, type MediaKeys } from '../src/index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEY = Buffer.alloc(16, 7).toString('base64url');
const gc = (globalThis as { gc?: () => void }).gc;

function cycle(mediaKeys: MediaKeys, index: number, keepOpen = false): Promise<import('../src/index.js').MediaKeySession> {
  return new Promise((resolve, reject) => {
    const session = mediaKeys.createSession();
    const kid = Buffer.alloc(16);
    kid.writeUInt32BE(index >>> 0, 12);
    session.onmessage = (event) => {
      const request = JSON.parse(decoder.decode(event.message)) as { kids: string[] };
      const license = { keys: request.kids.map((k) => ({ kty: 'oct', kid: k, k: KEY })) };
      session.update(encoder.encode(JSON.stringify(license))).catch(reject);
    };
    session.onkeystatuseschange = () => {
      if (session.keyStatuses.size === 0) return;
      session.onkeystatuseschange = null;
      if (keepOpen) resolve(session);
      else session.close().then(() => resolve(session), reject);
    };
    session.generateRequest('keyids', encoder.encode(`{"kids":["${kid.toString('base64url')}"]}`)).catch(reject);
  });
}

async function runCycles(mediaKeys: MediaKeys, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  async function worker() {
    while (next < total) await cycle(mediaKeys, next++);
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const eme = createEME();
const access = await eme.requestMediaKeySystemAccess('org.w3.clearkey', [
  { initDataTypes: ['keyids'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] },
]);
const mediaKeys = await access.createMediaKeys();

console.log(`emekit EME benchmark — node ${process.version}, ${gc ? 'with' : 'WITHOUT'} --expose-gc\n`);
await runCycles(mediaKeys, 5_000, 64); // warm-up
for (const concurrency of [1, 64, 256]) {
  const total = concurrency === 1 ? 20_000 : 100_000;
  const seconds = await runCycles(mediaKeys, total, concurrency);
  console.log(`cycles/s, ${String(concurrency).padStart(3)} in flight: ${Math.round(total / seconds).toLocaleString('en-US').padStart(8)}  (${total.toLocaleString('en-US')} cycles in ${seconds.toFixed(2)} s)`);
}

const baseline = heapUsed();
const open = [];
for (let i = 0; i < 10_000; i++) open.push(await cycle(mediaKeys, i, true));
const withOpen = heapUsed();
console.log(`\nheap baseline: ${mb(baseline)}; with 10,000 open sessions (each holding a key): ${mb(withOpen)} → ${((withOpen - baseline) / 10_000 / 1024).toFixed(2)} KB per session`);
await Promise.all(open.map((s) => s.close()));
open.length = 0;

for (let round = 1; round <= 2; round++) {
  const seconds = await runCycles(mediaKeys, 100_000, 256);
  const after = heapUsed();
  console.log(
    `after closing them${round === 2 ? ' and another' : ' and'} 100,000 cycles (${(100_000 / seconds).toFixed(0)}/s): heap ${mb(after)} (baseline ${mb(baseline)}, difference ${mb(after - baseline)})`,
  );
}
