// Interop: every scenario of scenarios.ts runs in Debian's Chromium (native org.w3.clearkey) and in emekit, and the
// observable results must be equal. Chromium is the reference nobody here wrote: where the spec leaves room, emekit
// behaves like it. Where Chromium knowingly departs from the spec and emekit follows the spec on purpose, the
// scenario says so (knownDifference) and both sides are pinned to their exact values instead.
//
// The test key system (emekit/testing), unscripted, is held to the same results: it decrypts and behaves like Clear
// Key until a test scripts it, so a player tested on it sees what Chromium would show.
//
// Needs /usr/bin/chromium (apt-get install chromium) and playwright-core; never downloads a browser.

import { beforeAll, expect, it } from 'vitest';
import { createEME } from '../../src/index.js';
import { testKeySystem } from '../../src/testing/index.js';
import { describeWithChromium, runInEmekit } from './harness.js';
import { scenarios } from './scenarios.js';

describeWithChromium('EME interop: emekit vs Chromium Clear Key', (chromium) => {
  beforeAll(() => {
    console.info(`EME interop against Chromium ${chromium().version}`);
  });

  it('scenario names are unique', () => {
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const testKeySystemPlatform = createEME({ keySystems: [testKeySystem({ keySystem: 'org.w3.clearkey' })] });
      const [chromiumResult, emekitResult, testKeySystemResult] = await Promise.all([
        chromium().run(scenario),
        runInEmekit(scenario),
        runInEmekit(scenario, testKeySystemPlatform),
      ]);
      const known = scenario.knownDifference;
      if (known) {
        // Chromium departs from the spec here and emekit follows it: pin both, so a change on either side shows.
        expect(chromiumResult, `Chromium (known difference: ${known.reason})`).toEqual(known.chromium);
        expect(emekitResult, `emekit (known difference: ${known.reason})`).toEqual(known.emekit);
      } else {
        expect(emekitResult).toEqual(chromiumResult);
      }
      expect(testKeySystemResult, 'the test key system, unscripted, as Clear Key').toEqual(emekitResult);
    });
  }
});
