// npm run fuzz -- [--seconds 600] [--target mp4|cenc|keyids|webm|license|release|server|all] [--workers N]
//                 [--timeout 5000] [--seed N]
// Structure-aware mutational fuzzing of every parser through the public API (fuzz/targets.ts), in as many
// processes as there are cores; each input must settle in time, within 64 times its size in memory above a fixed
// base, with a documented outcome. Findings are minimised and saved under test/regressions/<target>/, which
// `npm test` replays (test/regressions/replay.test.ts).
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BoundedRunner, isFinding, MEMORY_FACTOR } from './bounded.js';
import type { Verdict } from './bounded.js';
import { readCurrent } from './current.js';
import { ownClock, reportsRunQueue } from './own-time.js';
import type { LoopFinding, LoopStart, LoopStats } from './loop.js';
import { TARGETS, type Target } from './targets.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    target: { type: 'string', default: 'all' },
    workers: { type: 'string', default: String(availableParallelism()) },
    timeout: { type: 'string', default: '5000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
  },
});
const seconds = Number(values.seconds);
const workers = Math.max(1, Number(values.workers));
const timeoutMs = Number(values.timeout);
const targets: Target[] = values.target === 'all' ? [...TARGETS] : [values.target as Target];
if (targets.some((t) => !TARGETS.includes(t)) || !(seconds > 0)) {
  console.error(`usage: npm run fuzz -- --seconds N --target ${TARGETS.join('|')}|all [--workers N]`);
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'emekit-fuzz-'));
/** The fixed memory base of a fuzz process (code, caches, the server's database) that inputs may add to. */
const BASE_BYTES = 512 * 1024 * 1024;
/** What the time limit is measured in (fuzz/own-time.ts). */
const CLOCK = reportsRunQueue() ? 'ms less run-queue waits' : 'ms wall: this system reports no run-queue waits';
const EXT: Record<Target, string> = { mp4: 'mp4', mse: 'mp4', cenc: 'bin', keyids: 'json', webm: 'bin', license: 'json', release: 'json', server: 'json' };

interface Finding {
  kind: string;
  input: Buffer;
  detail: string;
}

/** What a fuzz process sends: 'ready', 'stats' (LoopStats), 'finding' (LoopFinding) or 'done'. */
type Message = { type: string } & Partial<Omit<LoopStats, 'type'>> & Partial<Omit<LoopFinding, 'type'>>;

/** Runs one fuzz process for `secs`; resolves with what it counted and found (its input, if it died or hung). */
/** Highest resident memory of any fuzz process in each minute of the run (MB). */
const rssByMinute: number[] = [];
const corpusByMinute: number[] = [];
let runStarted = Date.now();

function runLoop(target: Target, secs: number, seed: number, index: number, totals: LoopStats, findings: Finding[]): Promise<void> {
  const current = join(scratch, `current-${index}.bin`);
  const child = fork(fileURLToPath(new URL('./loop.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=192'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  // The child's time since its last message, less what it spent waiting for a CPU (fuzz/own-time.ts).
  const silence = ownClock(child.pid);
  let finished = false;
  let killedForHang = false;
  const watchdog = setInterval(() => {
    // Counts come every second while inputs settle: silence means one input blocks the process.
    if (silence.elapsed() > timeoutMs + 5000 && !finished) {
      killedForHang = true;
      child.kill('SIGKILL');
    }
  }, 500);
  return new Promise((resolve) => {
    child.on('message', (m: Message) => {
      silence.start();
      if (m.type === 'ready') {
        const start: LoopStart = { target, seconds: secs, seed, current, timeoutMs, baseBytes: BASE_BYTES };
        child.send(start);
      } else if (m.type === 'stats') {
        totals.inputs += m.inputs!;
        totals.ok += m.ok!;
        totals.rejected += m.rejected!;
        totals.harnessErrors += m.harnessErrors!;
        totals.cpuMs += m.cpuMs!;
        if (m.largestRise! > totals.largestRise) {
          totals.largestRise = m.largestRise!;
          totals.largestRiseInput = m.largestRiseInput!;
        }
        totals.corpus = Math.max(totals.corpus, m.corpus!);
        totals.corpusBytes = Math.max(totals.corpusBytes, m.corpusBytes!);
        totals.peakRss = Math.max(totals.peakRss, m.peakRss!);
        const minute = Math.floor((Date.now() - runStarted) / 60_000);
        rssByMinute[minute] = Math.max(rssByMinute[minute] ?? 0, Math.round(m.rss! / 1e6));
        corpusByMinute[minute] = Math.max(corpusByMinute[minute] ?? 0, Math.round(m.corpusBytes! / 1e6));
        if (m.slowestMs! > totals.slowestMs) {
          totals.slowestMs = m.slowestMs!;
          totals.slowestWallMs = m.slowestWallMs!;
        }
      } else if (m.type === 'finding') findings.push({ kind: m.kind!, input: Buffer.from(m.input!), detail: m.detail! });
      else if (m.type === 'done') finished = true;
    });
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      silence.close();
      if (!finished && existsSync(current)) {
        const kind = killedForHang ? 'hang' : 'crash';
        findings.push({ kind, input: readCurrent(current), detail: `${signal ?? `exit ${code}`}: ${stderr.split('\n').slice(-6).join(' ').slice(0, 400)}` });
      }
      resolve();
    });
  });
}

/** Shorter inputs that still give the same kind of finding: a shortest failing prefix, then chunks removed. */
async function minimise(runner: BoundedRunner, target: Target, input: Buffer, budgetMs: number): Promise<{ input: Buffer; verdict: Verdict | undefined }> {
  const deadline = Date.now() + budgetMs;
  const first = await runner.run(target, input);
  if (!isFinding(first)) return { input, verdict: undefined };
  const same = async (b: Buffer) => {
    if (Date.now() > deadline) return false;
    const v = await runner.run(target, b);
    return v.kind === first.kind && v.outcome?.name === first.outcome?.name;
  };
  let best = input;
  let lo = 0;
  let hi = best.length;
  while (lo < hi && Date.now() < deadline) {
    const mid = (lo + hi) >> 1;
    if (await same(best.subarray(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  if (hi < best.length && (await same(best.subarray(0, hi)))) best = Buffer.from(best.subarray(0, hi));
  for (let chunk = best.length >> 1; chunk >= 1 && Date.now() < deadline; chunk >>= 1) {
    for (let at = 0; at + chunk <= best.length && Date.now() < deadline; ) {
      const shorter = Buffer.concat([best.subarray(0, at), best.subarray(at + chunk)]);
      if (await same(shorter)) best = shorter;
      else at += chunk;
    }
  }
  return { input: best, verdict: first };
}

async function fuzz(target: Target, seedBase: number): Promise<void> {
  const totals: LoopStats = { type: 'stats', inputs: 0, ok: 0, rejected: 0, corpus: 0, corpusBytes: 0, harnessErrors: 0, peakRss: 0, slowestMs: 0, slowestWallMs: 0, rss: 0, cpuMs: 0, largestRise: 0, largestRiseInput: 0 };
  const findings: Finding[] = [];
  const started = Date.now();
  const end = started + seconds * 1000;
  runStarted = started;
  rssByMinute.length = 0;
  corpusByMinute.length = 0;
  let restarts = 0;
  // Each core runs fuzz processes until the time is up; one that ends early (a finding) is replaced.
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (Date.now() < end - 1000) {
        await runLoop(target, (end - Date.now()) / 1000, seedBase + 7919 * w + 104729 * restarts, w, totals, findings);
        restarts++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const rate = totals.inputs / elapsed;
  const count = (kind: string) => findings.filter((f) => f.kind === kind).length;
  console.log(
    `${target}: ${totals.inputs} inputs in ${elapsed.toFixed(0)} s on ${workers} processes = ${rate.toFixed(0)}/s ` +
      `(${(totals.inputs / (totals.cpuMs / 1000)).toFixed(0)} per CPU-second of the fuzz processes); accepted ${totals.ok}, rejected (documented) ${totals.rejected}; ` +
      `crashes ${count('crash')}, hangs ${count('hang')}, undocumented ${count('undocumented')}, over the memory bound ${count('memory')}; ` +
      `peak RSS ${(totals.peakRss / 1e6).toFixed(0)} MB (bound ${(BASE_BYTES / 1e6).toFixed(0)} MB + ${MEMORY_FACTOR}x input), slowest input ${totals.slowestMs.toFixed(0)} ms (wall ${totals.slowestWallMs.toFixed(0)} ms; limit ${timeoutMs} ${CLOCK}); ` +
      `corpus ${totals.corpus}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}${totals.harnessErrors > 0 ? `; harness errors ${totals.harnessErrors}` : ''}`,
  );
  console.log(
    `  RSS by minute (MB, highest process): ${Array.from(rssByMinute, (mb) => mb ?? '-').join(' ')}; ` +
      `its corpus (MB): ${Array.from(corpusByMinute, (mb) => mb ?? '-').join(' ')}; ` +
      `largest rise of the peak in one input: ${(totals.largestRise / 1e6).toFixed(0)} MB (an input of ${totals.largestRiseInput} bytes)`,
  );
  if (findings.length === 0) return;
  const dir = join(root, 'test/regressions', target);
  mkdirSync(dir, { recursive: true });
  const runner = new BoundedRunner({ timeoutMs, baseMb: BASE_BYTES / (1024 * 1024) });
  const saved = new Set<string>();
  for (const f of findings.slice(0, 5)) {
    const { input, verdict } = await minimise(runner, target, f.input, 20_000);
    if (!verdict) {
      // Not a finding on its own (it depended on the state the fuzz process was in): reported, not saved.
      console.log(`  ${f.kind} (not reproduced in isolation): ${f.detail.slice(0, 300)}\n    input (base64, first 200 bytes): ${f.input.subarray(0, 200).toString('base64')}`);
      continue;
    }
    const hash = createHash('sha1').update(input).digest('hex').slice(0, 10);
    const name = `${f.kind}-${hash}.${EXT[target]}`;
    if (saved.has(name)) continue;
    saved.add(name);
    writeFileSync(join(dir, name), input);
    console.log(`  ${f.kind}: ${f.detail.slice(0, 300)}\n    saved test/regressions/${target}/${name} (${f.input.length} -> ${input.length} bytes; replays as ${verdict.kind})`);
  }
  await runner.close();
}

const seedBase = Number(values.seed);
console.log(`fuzzing ${targets.join(', ')} for ${seconds} s each on ${workers} processes (seed ${seedBase})`);
try {
  for (const t of targets) await fuzz(t, seedBase);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
