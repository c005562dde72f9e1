// Prints every scenario's Chromium and emekit results side by side (a developer aid; the test is interop.test.ts).
//   node --import tsx test/chromium/compare.ts [name filter]

import { isDeepStrictEqual } from 'node:util';
import { chromiumAvailable, runInEmekit, startChromium } from './harness.js';
import { scenarios } from './scenarios.js';

if (!chromiumAvailable()) {
  console.warn('chromium not installed');
  process.exit(1);
}
const filter = process.argv[2];
const chromium = await startChromium();
console.log(`Chromium ${chromium.version}`);
let differences = 0;
const started = Date.now();
try {
  for (const scenario of scenarios) {
    if (filter && !scenario.name.includes(filter)) continue;
    const [theirs, ours] = await Promise.all([chromium.run(scenario), runInEmekit(scenario)]);
    const same = isDeepStrictEqual(theirs, ours);
    if (!same) differences++;
    const mark = same ? 'same' : scenario.knownDifference ? 'KNOWN' : 'DIFF';
    console.log(`\n[${mark}] ${scenario.name}`);
    console.log(`  chromium: ${JSON.stringify(theirs)}`);
    if (!same) console.log(`  emekit:   ${JSON.stringify(ours)}`);
  }
} finally {
  await chromium.close();
}
console.log(`\n${differences} difference(s), ${Date.now() - started} ms`);
