// emekit/testing: a key system a test scripts (renewals, expiry, output restrictions, individualization, server
// certificates, faults, crashes), a clock to move by hand, and the declarative scenario form.
export { testKeySystem, type TestKeySystem, type TestKeySystemOptions, type TestMethod, type TestSessionControl } from './test-key-system.js';
export { parseScript, type ScriptStep } from './script.js';
export { manualClock, type ManualClock } from './manual-clock.js';
export type { Clock } from '../util/clock.js';
