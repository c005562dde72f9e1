// @vitest-environment jsdom
// rx-player 4.5, unchanged from npm (its CommonJS build), under jsdom on emekit/dom: the DASH Clear Key presentation
// licensed by a real `emekit serve`, played to the end on the virtual clock; every sample equal to the clear source's
// (support/dash-cenc.ts; the same under happy-dom: rx-player-happy-dom.test.ts).
import { describeDashCenc, RX_PLAYER } from './support/dash-cenc.js';

describeDashCenc('rx-player 4.5 under jsdom', RX_PLAYER);
