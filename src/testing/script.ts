// The declarative form of a test key system scenario: timed steps, as JSON, so the same scenario replays from a
// file. Each step acts at `at` ms of the key system's clock after play(), on one session (its index in
// `sessions`) or on every open one.
//
//   [{ "at": 0, "do": "renewEvery", "seconds": 30 },
//    { "at": 5000, "do": "setStatus", "session": 0, "keyId": "eb676abbcb345e96bbcf616630f1a3da", "status": "output-restricted" },
//    { "at": 9000, "do": "setExpiration", "inSeconds": 1 },
//    { "at": 20000, "do": "crash", "reason": "hardware-context-reset" }]

import type { ClosedReason, KeyStatus } from '../cdm/cdm.js';
import type { TestKeySystem } from './test-key-system.js';

export type ScriptStep = { readonly at: number; readonly session?: number } & (
  | { readonly do: 'renew' }
  | { readonly do: 'renewEvery'; readonly seconds?: number }
  | { readonly do: 'setStatus'; readonly keyId: string; readonly status: KeyStatus }
  | { readonly do: 'setExpiration'; readonly expiration?: number; readonly inSeconds?: number }
  | { readonly do: 'close'; readonly reason: ClosedReason }
  | { readonly do: 'crash'; readonly reason?: ClosedReason }
  | { readonly do: 'setHdcp'; readonly version: string }
);

const STATUSES: ReadonlySet<string> = new Set([
  'usable', 'expired', 'released', 'output-restricted', 'output-downscaled', 'usable-in-future', 'status-pending', 'internal-error',
]);
const REASONS: ReadonlySet<string> = new Set(['internal-error', 'closed-by-application', 'release-acknowledged', 'hardware-context-reset', 'resource-evicted']);

/** Checks a parsed JSON script, naming the first bad step; returns it typed. */
export function parseScript(value: unknown): ScriptStep[] {
  if (!Array.isArray(value)) throw new TypeError('a test key system script is a JSON array of steps');
  return value.map((raw: unknown, index) => {
    const bad = (why: string) => new TypeError(`script step ${index}: ${why}`);
    if (typeof raw !== 'object' || raw === null) throw bad('not an object');
    const step = raw as Record<string, unknown>;
    if (typeof step['at'] !== 'number' || !(step['at'] >= 0)) throw bad('"at" must be a number of ms, 0 or more');
    if (step['session'] !== undefined && !(Number.isInteger(step['session']) && (step['session'] as number) >= 0)) throw bad('"session" must be an index');
    switch (step['do']) {
      case 'renew':
      case 'setHdcp':
      case 'renewEvery':
      case 'setExpiration':
        break;
      case 'setStatus':
        if (typeof step['keyId'] !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(step['keyId'])) throw bad('"keyId" must be hex');
        if (typeof step['status'] !== 'string' || !STATUSES.has(step['status'])) throw bad('"status" must be a MediaKeyStatus');
        break;
      case 'close':
      case 'crash':
        if ((step['do'] === 'close' || step['reason'] !== undefined) && !REASONS.has(step['reason'] as string)) {
          throw bad('"reason" must be a MediaKeySessionClosedReason');
        }
        break;
      default:
        throw bad('"do" must be one of renew, renewEvery, setStatus, setExpiration, close, crash, setHdcp');
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
  }
}
