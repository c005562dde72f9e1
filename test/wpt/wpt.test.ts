// The web-platform-tests pages of encrypted-media/ that need no playback, run against emekit as browsers run them
// (testharness.js, idlharness.js and the pages read from ../shared/wpt at test time, never copied here): one Node
// process per page (page-host.ts), results per subtest compared with expectations.ts. Skipped, with a message,
// where ../shared/wpt is absent.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';
import { EXPECTATIONS } from './expectations.js';

const WPT_CANDIDATES = [process.env['EMEKIT_WPT'], resolve(repoRoot, '../shared/wpt'), resolve(repoRoot, '../../shared/wpt')];
const wptRoot = WPT_CANDIDATES.find((dir) => dir !== undefined && existsSync(resolve(dir, 'encrypted-media')));
if (!wptRoot) console.warn('web-platform-tests: ../shared/wpt not found (or set EMEKIT_WPT): the WPT pages are skipped');

interface SubtestResult {
  readonly name: string;
  /** testharness: 0 PASS, 1 FAIL, 2 TIMEOUT, 3 NOTRUN, 4 PRECONDITION_FAILED. */
  readonly status: number;
  readonly message: string | null;
}

interface PageResult {
  /** The harness: 0 OK, 1 ERROR, 2 TIMEOUT, 3 PRECONDITION_FAILED. */
  readonly status: number;
  readonly message: string | null;
  readonly tests: readonly SubtestResult[];
}

const PAGE_TIMEOUT_MS = 90_000;

function runPage(page: string): Promise<PageResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', resolve(repoRoot, 'test/wpt/page-host.ts'), wptRoot!, page],
      { cwd: repoRoot, timeout: PAGE_TIMEOUT_MS, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        if (line.startsWith('{')) done(JSON.parse(line) as PageResult);
        else fail(new Error(`${page}: no results (${error?.message ?? 'exited'})\n${stderr.slice(-2000)}`));
      },
    );
  });
}

/** Runs the pages two at a time (this machine has two cores, shared with the rest of the suite). */
async function runAll(pages: readonly string[]): Promise<Map<string, PageResult | Error>> {
  const results = new Map<string, PageResult | Error>();
  const queue = [...pages];
  const worker = async () => {
    for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
      results.set(page, await runPage(page).catch((error: Error) => error));
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

describe.skipIf(!wptRoot)('web-platform-tests encrypted-media (no playback)', () => {
  let results: Map<string, PageResult | Error>;
  beforeAll(async () => {
    results = await runAll(Object.keys(EXPECTATIONS));
  }, 10 * PAGE_TIMEOUT_MS);

  it.each(Object.entries(EXPECTATIONS))('%s', (page, expected) => {
    const result = results.get(page);
    if (result instanceof Error) throw result;
    expect(result!.status, `harness status (${result!.message})`).toBe(expected.harness ?? 0);
    // Every subtest that does not pass, with its message; listed ones must fail, all others pass.
    const notPassing = Object.fromEntries(result!.tests.filter((t) => t.status !== 0).map((t) => [t.name, t.message]));
    expect(Object.keys(notPassing).sort(), JSON.stringify(notPassing, null, 1)).toEqual(Object.keys(expected.failures).sort());
    expect(result!.tests.length).toBe(expected.subtests);
  });
});
