// The web-platform-tests pages of encrypted-media/ that need Media Source Extensions and playback, run on
// emekit/dom (installMedia: the headless media element, MediaSource, EME, the virtual clock) as browsers run them:
// one Node process per page (page-host.ts in playback mode), results per subtest compared with
// PLAYBACK_EXPECTATIONS. Skipped, with a message, where ../shared/wpt is absent.
import { PLAYBACK_EXPECTATIONS } from './expectations.js';
import { describePages } from './run-page.js';

describePages('web-platform-tests encrypted-media (MSE and playback, on emekit/dom)', PLAYBACK_EXPECTATIONS, { ...process.env, EMEKIT_WPT_PLAYBACK: '1' });
