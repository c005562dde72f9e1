// The declarative form of a test key system scenario: timed steps, as JSON, so the same scenario replays from a
// file. Each step acts at `at` ms of the key system's clock after play(), on one session (its index in
// `sessions`) or on every open one.
//
//   [{ "at": 0, "do": "renewEvery", "seconds": 30 },
//    { "at": 5000, "do": "setStatus", "session": 0, "keyId": "eb676abbcb345e96bbcf616630f1a3da", "status": "output-restricted" },
//    { "at": 9000, "do": "setExpiration", "inSeconds": 1 },
//    { "at": 15000, "do": "fail", "method": "update", "error": "InvalidStateError", "nthCall": 1 },
//    { "at": 20000, "do": "crash", "reason": "hardware-context-reset" }]

import { CDM_ERROR_NAMES, type CdmErrorName, type ClosedReason, type KeyStatus } from '../cdm/cdm.js';
import { HDCP_VERSIONS } from '../cdm/hdcp-versions.js';
import { TEST_METHODS, type TestMethod } from './faults.js';
import type { TestKeySystem } from './test-key-system.js';

export type ScriptStep = { readonly at: number; readonly session?: number } & (
  | { readonly do: 'renew' }
  | { readonly do: 'renewEvery'; readonly seconds?: number }
  | { readonly do: 'setStatus'; readonly keyId: string; readonly status: KeyStatus }
  | { readonly do: 'setExpiration'; readonly expiration?: number; readonly inSeconds?: number }
  | { readonly do: 'close'; readonly reason: ClosedReason }
  | { readonly do: 'crash'; readonly reason?: ClosedReason }
  | { readonly do: 'setHdcp'; readonly version: string }
  | { readonly do: 'fail'; readonly method: TestMethod; readonly error: CdmErrorName; readonly nthCall?: number }
  | { readonly do: 'setLatency'; readonly method: TestMethod; readonly ms: number }
  | { readonly do: 'failStore'; readonly error?: CdmErrorName | null }
);

const STATUSES: ReadonlySet<string> = new Set([
  'usable', 'expired', 'released', 'output-restricted', 'output-downscaled', 'usable-in-future', 'status-pending', 'internal-error',
]);
const REASONS: ReadonlySet<string> = new Set(['internal-error', 'closed-by-application', 'release-acknowledged', 'hardware-context-reset', 'resource-evicted']);
/** Each step's own members (besides "do", "at" and "session"). */
const MEMBERS: Readonly<Record<ScriptStep['do'], readonly string[]>> = {
  renew: [],
  renewEvery: ['seconds'],
  setStatus: ['keyId', 'status'],
  setExpiration: ['expiration', 'inSeconds'],
  close: ['reason'],
  crash: ['reason'],
  setHdcp: ['version'],
  fail: ['method', 'error', 'nthCall'],
  setLatency: ['method', 'ms'],
  failStore: ['error'],
};
/** Steps that act on the whole key system, not on a session. */
const KEY_SYSTEM_WIDE: ReadonlySet<string> = new Set(['crash', 'setHdcp', 'fail', 'setLatency', 'failStore']);
const ERROR_NAMES: ReadonlySet<string> = new Set(CDM_ERROR_NAMES);
const METHODS: ReadonlySet<string> = new Set(TEST_METHODS);
/** A key ID as Clear Key takes one (1 to 512 bytes), in hex; a UUID's dashes are allowed. */
const HEX_KEY_ID = /^([0-9a-f]{2}){1,512}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * Checks a parsed JSON script, naming the first bad step and member in one line; returns it typed (key IDs in
 * lower-case hex).
 */
export function parseScript(value: unknown): ScriptStep[] {
  if (!Array.isArray(value)) throw new TypeError('a test key system script is a JSON array of steps');
  return value.map((raw: unknown, index) => {
    const bad = (why: string) => new TypeError(`script step ${index}: ${why}`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not an object');
    const step = { ...(raw as Record<string, unknown>) };
    const name = step['do'];
    if (typeof name !== 'string' || !Object.hasOwn(MEMBERS, name)) {
      throw bad(`"do" must be one of ${Object.keys(MEMBERS).join(', ')} (got ${shown(name)})`);
    }
    const members = ['at', ...(KEY_SYSTEM_WIDE.has(name) ? [] : ['session']), ...MEMBERS[name as ScriptStep['do']]];
    const unknown = Object.keys(step).find((member) => member !== 'do' && !members.includes(member));
    if (unknown !== undefined) throw bad(`${name} has no member "${unknown}" (it takes ${members.join(', ')})`);
    if (!isTime(step['at'])) throw bad(`"at" must be a time in ms, 0 or more (got ${shown(step['at'])})`);
    if (step['session'] !== undefined && !(Number.isInteger(step['session']) && (step['session'] as number) >= 0)) {
      throw bad(`"session" must be a session's index, 0 or more (got ${shown(step['session'])})`);
    }
    switch (name) {
      case 'renewEvery':
        if (step['seconds'] !== undefined && !(isTime(step['seconds']) && step['seconds'] > 0)) throw bad(`"seconds" must be more than 0 (got ${shown(step['seconds'])})`);
        break;
      case 'setExpiration':
        if (step['expiration'] !== undefined && !isTime(step['expiration'])) throw bad(`"expiration" must be ms since the epoch (got ${shown(step['expiration'])})`);
        if (step['inSeconds'] !== undefined && !isTime(step['inSeconds'])) throw bad(`"inSeconds" must be a number of seconds, 0 or more (got ${shown(step['inSeconds'])})`);
        break;
      case 'setStatus': {
        const keyId = typeof step['keyId'] === 'string' ? step['keyId'].toLowerCase() : '';
        const hex = UUID.test(keyId) ? keyId.replace(/-/g, '') : keyId;
        if (!HEX_KEY_ID.test(hex)) throw bad(`"keyId" must be hex, 1 to 512 bytes (got ${shown(step['keyId'])})`);
        step['keyId'] = hex;
        if (typeof step['status'] !== 'string' || !STATUSES.has(step['status'])) {
          throw bad(`"status" must be a MediaKeyStatus: one of ${[...STATUSES].join(', ')} (got ${shown(step['status'])})`);
        }
        break;
      }
      case 'close':
      case 'crash':
        if ((name === 'close' || step['reason'] !== undefined) && !REASONS.has(step['reason'] as string)) {
          throw bad(`"reason" must be a MediaKeySessionClosedReason: one of ${[...REASONS].join(', ')} (got ${shown(step['reason'])})`);
        }
        break;
      case 'setHdcp':
        if (step['version'] !== 'none' && !HDCP_VERSIONS.has(step['version'] as string)) {
          throw bad(`"version" must be "none" or an HDCP version: ${[...HDCP_VERSIONS].join(', ')} (got ${shown(step['version'])})`);
        }
        break;
      case 'fail':
      case 'setLatency':
        if (!METHODS.has(step['method'] as string)) throw bad(`"method" must be one of ${TEST_METHODS.join(', ')} (got ${shown(step['method'])})`);
        if (name === 'setLatency' && !isTime(step['ms'])) throw bad(`"ms" must be a number of ms, 0 or more (got ${shown(step['ms'])})`);
        if (name === 'fail' && !ERROR_NAMES.has(step['error'] as string)) throw bad(`"error" must be one of ${CDM_ERROR_NAMES.join(', ')} (got ${shown(step['error'])})`);
        if (step['nthCall'] !== undefined && !(Number.isInteger(step['nthCall']) && (step['nthCall'] as number) >= 1)) {
          throw bad(`"nthCall" must be 1 (the next call) or more (got ${shown(step['nthCall'])})`);
        }
        break;
      case 'failStore':
        if (step['error'] != null && !ERROR_NAMES.has(step['error'] as string)) {
          throw bad(`"error" must be one of ${CDM_ERROR_NAMES.join(', ')}, or null to stop (got ${shown(step['error'])})`);
        }
        break;
    }
    return step as ScriptStep;
  });
}

export function runStep(ks: TestKeySystem, step: ScriptStep): Promise<void> | void {
  const open = () => ks.sessions.filter((s) => !s.closed && s.sessionId !== '');
  const targets = step.session === undefined ? undefined : [ks.sessions[step.session]].filter((s) => s !== undefined);
  switch (step.do) {
    case 'renew':
      return (targets ?? open()).forEach((s) => s.renew());
    case 'renewEvery':
      return targets ? targets.forEach((s) => s.renewEvery(step.seconds)) : ks.renewEvery(step.seconds);
    case 'setStatus':
      return targets ? targets.forEach((s) => s.setStatus(step.keyId, step.status)) : ks.setStatus(step.keyId, step.status);
    case 'setExpiration': {
      const expiration = step.expiration ?? (step.inSeconds !== undefined ? ks.clock.now() + step.inSeconds * 1000 : NaN);
      return targets ? targets.forEach((s) => s.setExpiration(expiration)) : ks.setExpiration(expiration);
    }
    case 'close':
      return void Promise.all((targets ?? open()).map((s) => s.close(step.reason)));
    case 'crash':
      return ks.crash(step.reason);
    case 'setHdcp':
      return ks.setHdcp(step.version);
    case 'fail':
      return ks.fail(step.method, step.error, step.nthCall ?? 1);
    case 'setLatency':
      return ks.setLatency(step.method, step.ms);
    case 'failStore':
      return ks.failStore(step.error ?? undefined);
  }
}
