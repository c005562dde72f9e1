// How each player is told to play a protected presentation with a bearer token for the license server: the
// configuration a player developer writes, shared by the tests and `npm run bench:player`. Each takes the player's
// module as the caller imported it (after installMedia: load order matters, see the README).
import { Changes } from './changes.js';

export interface PlayerRun {
  /** The player's own error reports, as text ("(fatal)" marks the ones it gives up on). */
  readonly errors: string[];
  /** Tells when `errors` grew (wait on it with `reported.until(...)`). */
  readonly reported: Changes;
  destroy(): Promise<void>;
}

export interface PlayOptions {
  /** Manifest URL (MPD for shaka and dash.js, master playlist for hls.js). */
  url: string;
  licenseUrl: string;
  token: string;
  /** Holds each license request back this long (real time): the license arrives late. */
  licenseDelayMs?: number;
}

/** A player's error reports in order, and who waits for them. */
function errorLog() {
  const errors: string[] = [];
  const reported = new Changes();
  return {
    errors,
    reported,
    report(text: string) {
      errors.push(text);
      reported.changed();
    },
  };
}

const delay = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

type Any = any;

/**
 * shaka-player: its polyfills first, as its documentation says (5.2 needs Map.prototype.getOrInsertComputed, which
 * Node 20-24 lack); license server in drm.servers, the bearer token added by a request filter on license requests.
 */
export async function playWithShaka(shaka: Any, video: unknown, o: PlayOptions): Promise<PlayerRun & { player: Any }> {
  shaka.polyfill.installAll();
  const player = new shaka.Player();
  const { errors, reported, report } = errorLog();
  player.addEventListener('error', (event: Any) => report(`${event.detail?.code} (fatal)`));
  player.configure({ drm: { servers: { 'org.w3.clearkey': o.licenseUrl } } });
  await player.attach(video);
  player.getNetworkingEngine().registerRequestFilter(async (type: number, request: Any) => {
    if (type !== shaka.net.NetworkingEngine.RequestType.LICENSE) return;
    request.headers['Authorization'] = `Bearer ${o.token}`;
    await delay(o.licenseDelayMs);
  });
  await player.load(o.url).catch((error: Any) => report(`load ${error?.code ?? error} (fatal)`));
  return { errors, reported, player, destroy: () => player.destroy() };
}

/** hls.js: emeEnabled, the license URL in drmSystems, the token set on the license XHR (licenseXhrSetup). */
export function playWithHls(Hls: Any, video: unknown, o: PlayOptions): PlayerRun {
  const { errors, reported, report } = errorLog();
  const hls = new Hls({
    emeEnabled: true,
    drmSystems: { 'org.w3.clearkey': { licenseUrl: o.licenseUrl } },
    // Opens the XHR itself (else hls.js calls it twice) and returns nothing: hls.js sends whatever it returns as the
    // request body (happy-dom's setRequestHeader returns true, which became the body).
    licenseXhrSetup: async (xhr: Any, url: string) => {
      await delay(o.licenseDelayMs);
      xhr.open('POST', url, true);
      xhr.setRequestHeader('Authorization', `Bearer ${o.token}`);
    },
  });
  hls.on(Hls.Events.ERROR, (_event: unknown, data: Any) => report(`${data.details}${data.fatal ? ' (fatal)' : ''}`));
  hls.attachMedia(video);
  hls.loadSource(o.url);
  return { errors, reported, destroy: async () => hls.destroy() };
}

/**
 * dash.js: the license URL from the MPD's clearkey:Laurl, the token added by a license request filter. Two settings
 * it needs for Clear Key signalled in the MPD (the same in Chromium): ignoreEmeEncryptedEvent, because from an
 * "encrypted" event's pssh it calls generateRequest('keyids', <the pssh box>), a TypeError; and no protData, because
 * with protData it selects the W3C 1077efec key system, whose init data it leaves null (no session at all).
 */
export function playWithDashjs(dashjs: Any, video: unknown, o: PlayOptions): PlayerRun {
  const { errors, reported, report } = errorLog();
  const player = dashjs.MediaPlayer().create();
  player.updateSettings({ streaming: { protection: { ignoreEmeEncryptedEvent: true } }, debug: { logLevel: 0 } });
  player.registerLicenseRequestFilter(async (request: Any) => {
    request.headers['Authorization'] = `Bearer ${o.token}`;
    await delay(o.licenseDelayMs);
  });
  player.on('error', (event: Any) => report(`${event.error?.code} ${event.error?.message} (fatal)`));
  player.initialize(video, o.url, true);
  return { errors, reported, destroy: async () => player.reset() };
}

/**
 * rx-player: loaded as CommonJS (its ESM build's extensionless imports do not resolve in Node); the application
 * fetches the license itself in keySystems[].getLicense, with the token.
 */
export function playWithRxPlayer(RxPlayer: Any, video: unknown, o: PlayOptions): PlayerRun {
  const { errors, reported, report } = errorLog();
  const player = new RxPlayer({ videoElement: video });
  player.addEventListener('error', (error: Any) => report(`${error.code} ${error.message} (fatal)`));
  const getLicense = async (message: Uint8Array) => {
    await delay(o.licenseDelayMs);
    const response = await fetch(o.licenseUrl, { method: 'POST', headers: { Authorization: `Bearer ${o.token}` }, body: message });
    if (!response.ok) throw new Error(`license server answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  player.loadVideo({ url: o.url, transport: 'dash', autoPlay: true, keySystems: [{ type: 'org.w3.clearkey', getLicense }] });
  return { errors, reported, destroy: async () => player.dispose() };
}
