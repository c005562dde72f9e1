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
  'clearkey-mp4-unique-origin.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-update-disallowed-input.https.html': { subtests: 1, failures: {} },
  'clearkey-not-callable-after-createsession.https.html': { subtests: 3, failures: {} },
  'clearkey-update-non-ascii-input.https.html': { subtests: 1, failures: {} },
  'idlharness.https.html': { subtests: 92, failures: {} },
  'clearkey-sharedarraybuffer.https.window.js': { subtests: 6, failures: {} },
};

// The pages that need MSE and playback (../shared/wpt/README.md), run on emekit/dom by wpt-playback.test.ts.
export const PLAYBACK_EXPECTATIONS: Readonly<Record<string, PageExpectation>> = {
  'clearkey-mp4-playback-destroy-persistent-license.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-persistent-license-events.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-persistent-license.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-persistent-usage-record-events.https.html': {
    subtests: 1,
    failures: {
      "org.w3.clearkey, persistent-usage-record, mp4, playback, check events":
        "'persistent-usage-record' is no longer a MediaKeySessionType in the EME spec: requestMediaKeySystemAccess refuses it (Chromium fails these pages too)",
    },
  },
  'clearkey-mp4-playback-persistent-usage-record.https.html': {
    subtests: 1,
    failures: {
      "org.w3.clearkey, persistent-usage-record, mp4playback":
        "'persistent-usage-record' is no longer a MediaKeySessionType in the EME spec: requestMediaKeySystemAccess refuses it (Chromium fails these pages too)",
    },
  },
  'clearkey-mp4-playback-retrieve-destroy-persistent-license.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-retrieve-persistent-license.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-retrieve-persistent-usage-record.https.html': {
    subtests: 1,
    failures: {
      "org.w3.clearkey, persistent-usage-record, mp4, playback, retrieve in new window":
        "'persistent-usage-record' is no longer a MediaKeySessionType in the EME spec: requestMediaKeySystemAccess refuses it (Chromium fails these pages too)",
    },
  },
  'clearkey-mp4-playback-temporary-clear-encrypted-segmented.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-clear-encrypted.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-encrypted-clear-sources.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-encrypted-clear.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-events.https.html': {
    subtests: 1,
    failures: {
      "org.w3.clearkey, temporary, mp4, playback, check events":
        "the page (2021 revision) wants `closed` resolved before close()'s promise; EME's close() resolves its promise, then runs Session Closed (step 5.3), as emekit does (upstream WPT dropped the order: web-platform-tests/wpt#46268)",
    },
  },
  'clearkey-mp4-playback-temporary-multikey-sequential-readyState.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-multikey-sequential.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-multikey.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-multisession.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-setMediaKeys-after-src.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-setMediaKeys-after-update.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-setMediaKeys-immediately.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-setMediaKeys-onencrypted.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-two-videos.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary-waitingforkey.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-playback-temporary.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-reset-src-after-setmediakeys.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-setmediakeys-again-after-playback.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-setmediakeys-again-after-resetting-src.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-setmediakeys-multiple-times-with-different-mediakeys.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-setmediakeys-multiple-times-with-the-same-mediakeys.https.html': { subtests: 1, failures: {} },
  'clearkey-mp4-waiting-for-a-key.https.html': { subtests: 1, failures: {} },
};

// The WebIDL pages of the specs emekit/dom implements (MSE, Media Playback Quality, HTML's media elements), run on
// emekit/dom by wpt-idl.test.ts. ../shared/wpt carries their IDL files and idlharness.js; the pages themselves are
// in test/wpt/pages at their upstream paths. Subtest counts are Chromium 156's on the same pages.
// The upstream page makes its SourceBuffer for WebM, else for a bare 'video/mp4'.
const NO_SOURCE_BUFFER =
  "no sourceBuffer to test: the page asks for WebM, which emekit does not have, else a bare 'video/mp4', which emekit refuses as Chromium 156 does (a type without codecs names no decoder: NotSupportedError); idlharness-mp4.window.js runs these subtests with a type that names its codecs";
const SOURCE_BUFFER_INSTANCE_SUBTESTS = [
  'SourceBuffer must be primary interface of sourceBuffer',
  'Stringification of sourceBuffer',
  ...['mode', 'updating', 'buffered', 'timestampOffset', 'audioTracks', 'videoTracks', 'textTracks', 'appendWindowStart', 'appendWindowEnd']
    .concat(['onupdatestart', 'onupdate', 'onupdateend', 'onerror', 'onabort', 'appendBuffer(BufferSource)', 'abort()', 'remove(double, unrestricted double)'])
    .map((member) => `SourceBuffer interface: sourceBuffer must inherit property "${member}" with the proper type`),
  'SourceBuffer interface: calling appendBuffer(BufferSource) on sourceBuffer with too few arguments must throw TypeError',
  'SourceBuffer interface: calling remove(double, unrestricted double) on sourceBuffer with too few arguments must throw TypeError',
];

// HTML's media interfaces, selected from html.idl as WPT's variants select (subset-tests-by-key.js's ?include=).
const HTML_MEDIA_PAGE =
  '../html/semantics/embedded-content/media-elements/idlharness.window.js?include=(HTMLMediaElement|HTMLVideoElement|HTMLAudioElement|MediaError|TimeRanges|AudioTrackList|AudioTrack|VideoTrackList|VideoTrack|TextTrackList|TextTrack|TextTrackCueList)';
const HAPPY_DOM_TO_STRING = "the page host's DOM is happy-dom, whose elements' toString() returns their outer HTML (Element.prototype.toString); not emekit/dom's";
const HAPPY_DOM_AUDIO =
  "happy-dom's Audio is a class extending HTMLAudioElement (enumerable, its own prototype, '[object Audio]'), not the [LegacyFactoryFunction] HTML defines; emekit/dom leaves the host's Audio alone";

export const IDL_EXPECTATIONS: Readonly<Record<string, PageExpectation>> = {
  '../media-source/idlharness.window.js': {
    subtests: 108,
    // The NotSupportedError thrown in the page's sourceopen listener is an uncaught error: harness ERROR.
    harness: 1,
    failures: {
      'idl_test setup': NO_SOURCE_BUFFER,
      ...Object.fromEntries(SOURCE_BUFFER_INSTANCE_SUBTESTS.map((name) => [name, NO_SOURCE_BUFFER])),
    },
  },
  '../media-source/idlharness-mp4.window.js': { subtests: 108, failures: {} },
  '../media-playback-quality/idlharness.window.js': { subtests: 30, failures: {} },
  [HTML_MEDIA_PAGE]: {
    subtests: 573,
    failures: {
      'Stringification of document.createElement("video")': HAPPY_DOM_TO_STRING,
      'Stringification of document.createElement("audio")': HAPPY_DOM_TO_STRING,
      'HTMLAudioElement interface: named constructor': HAPPY_DOM_AUDIO,
      'HTMLAudioElement interface: named constructor object': HAPPY_DOM_AUDIO,
      'HTMLAudioElement interface: named constructor prototype property': HAPPY_DOM_AUDIO,
      'HTMLAudioElement must be primary interface of new Audio()': HAPPY_DOM_AUDIO,
      'Stringification of new Audio()': HAPPY_DOM_AUDIO,
    },
  },
};
