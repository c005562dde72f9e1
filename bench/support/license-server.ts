// A real `emekit serve` process for the server benchmarks, separate from the load generator, and what can be read
// of it from /proc (Linux): CPU time and resident memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openKeyStore } from '../../src/server/index.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface BenchSecrets {
  masterKey: string;
  jwtSecret: string;
}

/** Stores `count` fresh keys under the label 'bench' and returns their key IDs. */
export async function fillStore(db: string, secrets: BenchSecrets, count: number): Promise<Buffer[]> {
  const store = await openKeyStore(db, secrets.masterKey);
  const keys = await store.generateKeys(count, 'bench');
  await store.close();
  return keys.map((key) => key.kid);
}

export function startServer(db: string, workers: number, secrets: BenchSecrets): Promise<{ url: string; child: ChildProcess }> {
  // From source via tsx, like the tests; the server code runs the same once loaded.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', '--db', db, '--port', '0', '--workers', String(workers), '--log-level', 'warn'],
    { cwd: ROOT, env: { ...process.env, EMEKIT_MASTER_KEY: secrets.masterKey, EMEKIT_JWT_SECRET: secrets.jwtSecret }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((done, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) done({ url: match[1], child });
    });
    child.once('exit', (code) => fail(new Error(`server exited (${code}): ${out}`)));
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

// CPU time (user + system) of a process and its descendants, from /proc (Linux); undefined elsewhere.
const CLOCK_TICKS = 100;
export function cpuSeconds(pid: number): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').replace(/^.*\) /, '').split(' ');
  let total = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of children === '' ? [] : children.split(' ')) total += cpuSeconds(Number(child)) ?? 0;
  }
  return total;
}

/** Resident memory of one process now and at its peak, in MB (VmRSS, VmHWM); undefined off Linux. */
export function memoryMb(pid: number): { rss: number; peak: number } | undefined {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return undefined;
  const text = readFileSync(status, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: (kb('VmRSS') * 1024) / 1e6, peak: (kb('VmHWM') * 1024) / 1e6 };
}
