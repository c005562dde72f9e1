// @vitest-environment happy-dom
// rx-player 4.5 under happy-dom (rx-player.test.ts runs it under jsdom), its CommonJS build unchanged: the DASH cenc
// presentation played to the end on emekit/dom's virtual clock, licensed by a real `emekit serve`; every sample equal
// to the clear source's (support/dash-cenc.ts). rx-player takes its manifest only as an ArrayBuffer or a string, and
// happy-dom's "arraybuffer" response is a Uint8Array, which emekit/dom corrects (src/dom/xhr-array-buffer.ts).
import { describeDashCenc, RX_PLAYER } from './support/dash-cenc.js';

describeDashCenc('rx-player 4.5 under happy-dom', RX_PLAYER);
