// The web-platform-tests pages of encrypted-media/ that need no playback, run against emekit as browsers run them
// (testharness.js, idlharness.js and the pages read from ../shared/wpt at test time, never copied here): one Node
// process per page (page-host.ts), results per subtest compared with expectations.ts. Skipped, with a message,
// where ../shared/wpt is absent.
import { beforeAll, describe, it } from 'vitest';
import { EXPECTATIONS } from './expectations.js';
import { expectPage, PAGE_TIMEOUT_MS, runAll, wptRoot, type PageResult } from './run-page.js';

describe.skipIf(!wptRoot)('web-platform-tests encrypted-media (no playback)', () => {
  let results: Map<string, PageResult | Error>;
  beforeAll(async () => {
    results = await runAll(Object.keys(EXPECTATIONS));
  }, 10 * PAGE_TIMEOUT_MS);

  it.each(Object.entries(EXPECTATIONS))('%s', (page, expected) => expectPage(results.get(page), expected));
});
