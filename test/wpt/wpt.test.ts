// The web-platform-tests pages of encrypted-media/ that need no playback, run against emekit as browsers run them
// (testharness.js, idlharness.js and the pages read from ../shared/wpt at test time, never copied here): one Node
// process per page (page-host.ts), results per subtest compared with expectations.ts. Skipped, with a message,
// where ../shared/wpt is absent.
import { EXPECTATIONS } from './expectations.js';
import { describePages } from './run-page.js';

describePages('web-platform-tests encrypted-media (no playback)', EXPECTATIONS);
