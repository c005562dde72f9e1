// The web-platform-tests pages of encrypted-media/ that need Media Source Extensions and playback, run on
// emekit/dom (installMedia: the headless media element, MediaSource, EME, the virtual clock) as browsers run them:
// one Node process per page (page-host.ts in playback mode), results per subtest compared with
// PLAYBACK_EXPECTATIONS. Skipped, with a message, where ../shared/wpt is absent.
import { beforeAll, describe, it } from 'vitest';
import { PLAYBACK_EXPECTATIONS } from './expectations.js';
import { expectPage, PAGE_TIMEOUT_MS, runAll, wptRoot, type PageResult } from './run-page.js';

describe.skipIf(!wptRoot)('web-platform-tests encrypted-media (MSE and playback, on emekit/dom)', () => {
  let results: Map<string, PageResult | Error>;
  beforeAll(async () => {
    results = await runAll(Object.keys(PLAYBACK_EXPECTATIONS), { ...process.env, EMEKIT_WPT_PLAYBACK: '1' });
  }, 10 * PAGE_TIMEOUT_MS);

  it.each(Object.entries(PLAYBACK_EXPECTATIONS))('%s', (page, expected) => expectPage(results.get(page), expected));
});
