// The web-platform-tests idlharness pages of the specs emekit/dom implements (MSE, Media Playback Quality, HTML's
// media elements) run on emekit/dom as browsers run them: idlharness.js and the IDL files from ../shared/wpt, the
// pages (which ../shared/wpt does not carry) from test/wpt/pages at their upstream paths, one Node process per page
// (page-host.ts), results per subtest compared with IDL_EXPECTATIONS. Skipped, with a message, where ../shared/wpt
// is absent.
import { IDL_EXPECTATIONS } from './expectations.js';
import { describePages } from './run-page.js';

describePages('web-platform-tests idlharness (emekit/dom interfaces)', IDL_EXPECTATIONS);
