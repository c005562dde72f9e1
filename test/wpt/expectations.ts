// What each web-platform-tests page of encrypted-media/ run by wpt.test.ts yields on emekit: its subtest count (the
// count Chromium 156 reports for the page: a page that ran fewer subtests fails) and every subtest that does not
// pass, with the reason. A listed subtest that passes fails the run too, so this list stays exact.
// Pages: those that need no playback (the API, a <video> for setMediaKeys() only, the IDL), per ../shared/wpt/README.md.

export interface PageExpectation {
  readonly subtests: number;
  /** The harness status where not OK (2: TIMEOUT, when an expected failure is a subtest that times out). */
  readonly harness?: number;
  /** Subtest name → why it does not pass. */
  readonly failures: Readonly<Record<string, string>>;
}

export const EXPECTATIONS: Readonly<Record<string, PageExpectation>> = {
  'clearkey-check-encryption-scheme.https.html': { subtests: 3, failures: {} },
  'clearkey-check-initdata-type.https.html': { subtests: 3, failures: {} },
  'clearkey-check-status-for-hdcp.https.html': { subtests: 2, failures: {} },
  'clearkey-events-session-closed-event.https.html': { subtests: 1, failures: {} },
  'clearkey-events.https.html': { subtests: 1, failures: {} },
  'clearkey-generate-request-disallowed-input.https.html': { subtests: 7, failures: {} },
  'clearkey-invalid-license.https.html': { subtests: 1, failures: {} },
  'clearkey-keystatuses-multiple-sessions.https.html': { subtests: 1, failures: {} },
  'clearkey-keystatuses.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-requestmediakeysystemaccess.https.html': { subtests: 58, failures: {} },
  'clearkey-mp4-setmediakeys-at-same-time.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-setmediakeys-to-multiple-video-elements.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-setmediakeys.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-syntax-mediakeys.https.html': { subtests: 3, failures: {} },
  'clearkey-mp4-syntax-mediakeysession.https.html': { subtests: 7, failures: {} },
  'clearkey-mp4-syntax-mediakeysystemaccess.https.html': { subtests: 2, failures: {} },
  'clearkey-mp4-unique-origin.https.html': {
    subtests: 1,
    harness: 2,
    failures: {
      // The page runs script in a sandboxed srcdoc iframe, which must fail to create MediaKeys there. The page host
      // runs no frame scripts (happy-dom's frames are separate windows emekit is not installed in); Chromium passes.
      'Unique origin is unable to create MediaKeys': 'no script in sandboxed iframes in the page host (Chromium passes)',
    },
  },
  'clearkey-mp4-update-disallowed-input.https.html': { subtests: 1, failures: {} },
  'clearkey-not-callable-after-createsession.https.html': { subtests: 3, failures: {} },
  'clearkey-update-non-ascii-input.https.html': { subtests: 1, failures: {} },
  'idlharness.https.html': { subtests: 92, failures: {} },
  'clearkey-sharedarraybuffer.https.window.js': { subtests: 6, failures: {} },
};
