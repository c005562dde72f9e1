// META: script=/resources/WebIDLParser.js
// META: script=/resources/idlharness.js
// META: script=/common/subset-tests-by-key.js
// META: timeout=long

'use strict';

// https://html.spec.whatwg.org/multipage/media.html
// The media elements' part of web-platform-tests' html/dom/idlharness.https.html: the same idl_test over html.idl,
// with its objects for the media interfaces (and the track lists of a <video>, which it leaves untested); the page
// is run with ?include=(those interfaces), subset-tests-by-key.js's selection, as WPT's variants select.

idl_test(
  ['html'],
  ['wai-aria', 'SVG', 'cssom', 'touch-events', 'uievents', 'dom', 'xhr', 'FileAPI', 'mediacapture-streams', 'performance-timeline'],
  async idl_array => {
    self.errorVideo = document.createElement('video');
    idl_array.add_objects({
      HTMLMediaElement: [],
      HTMLVideoElement: ['document.createElement("video")'],
      HTMLAudioElement: ['document.createElement("audio")', 'new Audio()'],
      MediaError: ['errorVideo.error'],
      AudioTrackList: ['document.createElement("video").audioTracks'],
      VideoTrackList: ['document.createElement("video").videoTracks'],
      TextTrackList: ['document.createElement("video").textTracks'],
      TextTrack: ['document.createElement("video").addTextTrack("subtitles")'],
      TextTrackCueList: ['document.createElement("video").addTextTrack("subtitles").cues'],
      TimeRanges: ['document.createElement("video").buffered'],
    });
    // A resource that is not media: the element's error is a MediaError (MEDIA_ERR_SRC_NOT_SUPPORTED).
    await new Promise((resolve, reject) => {
      errorVideo.onerror = resolve;
      errorVideo.src = '/common/text-plain.txt';
      step_timeout(() => reject(new Error('the error event was not fired')), 3000);
    });
  }
);
