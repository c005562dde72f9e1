// @vitest-environment happy-dom
// shaka-player 5.2 under happy-dom (shaka.test.ts runs it under jsdom): the DASH cenc presentation played to the end
// on emekit/dom's virtual clock, licensed by a real `emekit serve`; every sample equal to the clear source's
// (support/dash-cenc.ts).
import { describeDashCenc, SHAKA } from './support/dash-cenc.js';

describeDashCenc('shaka-player 5.2 under happy-dom', SHAKA);
