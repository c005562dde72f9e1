// Replays every saved hostile input (test/regressions/<target>/*) through its fuzz target, each in a process
// bounded in time and memory (fuzz/bounded.ts): each must settle with a documented outcome.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BoundedRunner } from '../../fuzz/bounded.js';
import { TARGETS } from '../../fuzz/targets.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const runner = new BoundedRunner({ timeoutMs: 10_000 });
afterAll(() => runner.close());

const saved = TARGETS.flatMap((target) => {
  const dir = join(here, target);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile());
  } catch {
    // No folder: nothing saved for this target yet.
  }
  return names.sort().map((name) => ({ target, name, path: join(dir, name) }));
});

describe('saved regression inputs', () => {
  it('there are saved inputs to replay (the attacks of issue 16 at least)', () => {
    expect(saved.filter((s) => s.target === 'mp4').length).toBeGreaterThanOrEqual(3);
  });

  it.each(saved)('$target/$name settles with a documented outcome', async ({ target, path }) => {
    const v = await runner.run(target, readFileSync(path));
    expect(['ok', 'rejected'], JSON.stringify(v)).toContain(v.kind);
  });
});
