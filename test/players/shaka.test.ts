// @vitest-environment jsdom
// shaka-player 5.2, unchanged from npm, under jsdom on emekit/dom: a DASH presentation with DASH-IF Clear Key
// signalling, licensed by a real `emekit serve` process, played to the end on the virtual clock; every sample the
// element played equals the clear source's (support/dash-cenc.ts; the same under happy-dom: shaka-happy-dom.test.ts).
import { describeDashCenc, SHAKA } from './support/dash-cenc.js';

describeDashCenc('shaka-player 5.2 under jsdom', SHAKA);
