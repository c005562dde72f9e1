// Runs web-platform-tests pages of encrypted-media/ from ../shared/wpt, one Node process per page (page-host.ts),
// and collects testharness's results: shared by wpt.test.ts (no playback) and wpt-playback.test.ts.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';
import type { PageExpectation } from './expectations.js';

const WPT_CANDIDATES = [process.env['EMEKIT_WPT'], resolve(repoRoot, '../shared/wpt'), resolve(repoRoot, '../../shared/wpt')];
export const wptRoot = WPT_CANDIDATES.find((dir) => dir !== undefined && existsSync(resolve(dir, 'encrypted-media')));
if (!wptRoot) console.warn('web-platform-tests: ../shared/wpt not found (or set EMEKIT_WPT): the WPT pages are skipped');

export interface SubtestResult {
  readonly name: string;
  /** testharness: 0 PASS, 1 FAIL, 2 TIMEOUT, 3 NOTRUN, 4 PRECONDITION_FAILED. */
  readonly status: number;
  readonly message: string | null;
}

export interface PageResult {
  /** The harness: 0 OK, 1 ERROR, 2 TIMEOUT, 3 PRECONDITION_FAILED. */
  readonly status: number;
  readonly message: string | null;
  readonly tests: readonly SubtestResult[];
}

export const PAGE_TIMEOUT_MS = 90_000;

function runPage(page: string, env: NodeJS.ProcessEnv): Promise<PageResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', resolve(repoRoot, 'test/wpt/page-host.ts'), wptRoot!, page],
      { cwd: repoRoot, env, timeout: PAGE_TIMEOUT_MS, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        if (line.startsWith('{')) done(JSON.parse(line) as PageResult);
        else fail(new Error(`${page}: no results (${error?.message ?? 'exited'})\n${stderr.slice(-2000)}`));
      },
    );
  });
}

/** Runs the pages two at a time (this machine has two cores, shared with the rest of the suite). */
export async function runAll(pages: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Map<string, PageResult | Error>> {
  const results = new Map<string, PageResult | Error>();
  const queue = [...pages];
  const worker = async () => {
    for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
      results.set(page, await runPage(page, env).catch((error: Error) => error));
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}


/** A page's results are as expected: harness status, exactly the listed subtests failing, the subtest count. */
export function expectPage(result: PageResult | Error | undefined, expected: PageExpectation): void {
  if (result instanceof Error) throw result;
  expect(result!.status, `harness status (${result!.message})`).toBe(expected.harness ?? 0);
  // Every subtest that does not pass, with its message; listed ones must fail, all others pass.
  const notPassing = Object.fromEntries(result!.tests.filter((t) => t.status !== 0).map((t) => [t.name, t.message]));
  expect(Object.keys(notPassing).sort(), JSON.stringify(notPassing, null, 1)).toEqual(Object.keys(expected.failures).sort());
  expect(result!.tests.length).toBe(expected.subtests);
}

/** A describe block that runs the pages (skipped where ../shared/wpt is absent) and checks each against its expectation. */
export function describePages(title: string, expectations: Readonly<Record<string, PageExpectation>>, env: NodeJS.ProcessEnv = process.env): void {
  describe.skipIf(!wptRoot)(title, () => {
    let results: Map<string, PageResult | Error>;
    beforeAll(async () => {
      results = await runAll(Object.keys(expectations), env);
    }, 10 * PAGE_TIMEOUT_MS);

    it.each(Object.entries(expectations))('%s', (page, expected) => expectPage(results.get(page), expected));
  });
}
