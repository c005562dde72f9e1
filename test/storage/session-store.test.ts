// The session stores: same behaviour in memory and in SQLite, and SQLite's crash safety with a real SIGKILL.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySessionStore, type SessionStore, SqliteSessionStore } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bytes = (s: string) => new TextEncoder().encode(s);

describe.each([
  ['memory', () => new MemorySessionStore()],
  ['sqlite', () => new SqliteSessionStore(join(dir, `${Math.random()}.sqlite`))],
])('%s session store', (_name, make: () => SessionStore) => {
  it('puts, gets, replaces, lists and deletes per origin', async () => {
    const store = make();
    expect(await store.get('o1', '1')).toBeUndefined();
    await store.put('o1', '1', bytes('a'));
    await store.put('o1', '2', bytes('b'));
    await store.put('o2', '1', bytes('c'));
    await store.put('o1', '1', bytes('a2'));
    expect(new TextDecoder().decode(await store.get('o1', '1'))).toBe('a2');
    expect(await store.list('o1')).toEqual(['1', '2']);
    expect(await store.list('o2')).toEqual(['1']);
    expect(await store.delete('o1', '1')).toBe(true);
    expect(await store.delete('o1', '1')).toBe(false);
    expect(await store.list('o1')).toEqual(['2']);
    await store.close();
  });

  it('returns copies: callers cannot change stored data', async () => {
    const store = make();
    const record = bytes('abc');
    await store.put('o', 's', record);
    record[0] = 0x7a;
    const got = (await store.get('o', 's'))!;
    got[1] = 0x7a;
    expect(new TextDecoder().decode(await store.get('o', 's'))).toBe('abc');
    await store.close();
  });
});

describe('SQLite session store crash safety', () => {
  it('a process killed in the middle of writes leaves a loadable store holding every committed write', async () => {
    const path = join(dir, 'crash.sqlite');
    const child = spawn(process.execPath, ['test/support/store-writer.mjs', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lastCommitted = -1;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) lastCommitted = Number(line.split(' ')[1]);
    });
    // Let it get well into its writes, then kill it without warning.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (lastCommitted >= 200) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(lastCommitted).toBeGreaterThanOrEqual(200);

    const db = new Database(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const store = new SqliteSessionStore(path);
    const ids = await store.list('https://crash.example');
    expect(ids.length).toBeGreaterThan(5);
    let newest = -1;
    for (const id of ids) {
      const record = JSON.parse(new TextDecoder().decode(await store.get('https://crash.example', id))) as { i: number; payload: string; sha256: string };
      // Every record is whole: its checksum matches its payload.
      expect(createHash('sha256').update(record.payload).digest('hex')).toBe(record.sha256);
      newest = Math.max(newest, record.i);
    }
    // The last write the child saw committed is there (a later, uncommitted one may be too).
    expect(newest).toBeGreaterThanOrEqual(lastCommitted);
    await store.put('https://crash.example', 'after', bytes('still writable'));
    await store.close();
  }, 60_000);
});
