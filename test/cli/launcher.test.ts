// The built `emekit` start-up file (src/cli/launcher.cts): it runs the CLI bundle through a V8 code cache kept in
// $XDG_CACHE_HOME/emekit, made by the first successful run of a command and used (or replaced) by later ones.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'emekit-cli-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function emekit(cacheHome: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['dist/bin/emekit.cjs', ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function caches(cacheHome: string): string[] {
  try {
    return readdirSync(join(cacheHome, 'emekit')).sort();
  } catch {
    return [];
  }
}

describe('emekit code cache', () => {
  const file = fixture('cenc_mp4box.mp4');

  it('the first successful run of a command makes its cache; later runs use it and print the same', () => {
    const home = join(root, 'a');
    const first = emekit(home, ['inspect', '--json', file]);
    expect(first.status, first.stderr).toBe(0);
    // Nothing on stderr on any Node CI runs (a V8 flag the running V8 lacks would print "unrecognized flag").
    expect(first.stderr).toBe('');
    const made = caches(home);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version}-${process.arch}-inspect\\.v8cache$`));
    const path = join(home, 'emekit', made[0]!);
    const before = statSync(path).mtimeMs;
    const second = emekit(home, ['inspect', '--json', file]);
    expect(second).toEqual(first);
    // Accepted, so not written again.
    expect(statSync(path).mtimeMs).toBe(before);
  });

  it('a damaged cache is refused by V8, the command runs as usual and the cache is made again', () => {
    const home = join(root, 'b');
    const clean = emekit(home, ['inspect', file]);
    const path = join(home, 'emekit', caches(home)[0]!);
    writeFileSync(path, Buffer.alloc(4096, 0x5a));
    const run = emekit(home, ['inspect', file]);
    expect(run).toEqual(clean);
    expect(readFileSync(path).equals(Buffer.alloc(4096, 0x5a))).toBe(false);
  });

  it('a failed run, or EMEKIT_NO_CODE_CACHE, leaves no cache; caches of other builds of the command are removed', () => {
    const home = join(root, 'c');
    expect(emekit(home, ['inspect', '--bogus', file]).status).toBe(1);
    expect(emekit(home, ['bogus']).status).toBe(1);
    expect(emekit(home, ['inspect', file], { EMEKIT_NO_CODE_CACHE: '1' }).status).toBe(0);
    expect(caches(home)).toEqual([]);

    const stale = `0123456789abcdef-${process.version}-${process.arch}-inspect.v8cache`;
    const otherNode = `0123456789abcdef-v0.0.0-${process.arch}-inspect.v8cache`;
    emekit(home, ['--help']);
    const none = caches(home);
    writeFileSync(join(home, 'emekit', stale), 'old');
    writeFileSync(join(home, 'emekit', otherNode), 'old');
    expect(emekit(home, ['inspect', file]).status).toBe(0);
    const after = caches(home);
    expect(after).not.toContain(stale);
    expect(after).toContain(otherNode);
    expect(after.filter((n) => n.endsWith('-inspect.v8cache'))).toHaveLength(2);
    expect(after.filter((n) => none.includes(n))).toEqual(none);
  });
});
