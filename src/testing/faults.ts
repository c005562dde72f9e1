// Scripted faults of the test key system: a method that rejects with a chosen spec error on its Nth call, and
// latency per method, counted on the key system's clock.

import { CdmError, type CdmErrorName } from '../cdm/cdm.js';
import type { Clock } from '../util/clock.js';

/** The CDM calls a test can make fail or slow down. */
export const TEST_METHODS = ['generateRequest', 'load', 'update', 'close', 'remove', 'setServerCertificate', 'getStatusForPolicy'] as const;
export type TestMethod = (typeof TEST_METHODS)[number];

export class Faults {
  readonly #clock: Clock;
  /** Per method: the calls to come that fail (1 = the next call), with the error name. */
  readonly #failures = new Map<TestMethod, Map<number, CdmErrorName>>();
  readonly #latency = new Map<TestMethod, number>();
  /** Waits in progress, so that a crash ends them. */
  readonly #waiting = new Set<(error: CdmError) => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  fail(method: TestMethod, errorName: CdmErrorName, nthCall: number): void {
    if (!Number.isInteger(nthCall) || nthCall < 1) throw new RangeError('nthCall must be an integer from 1 (the next call)');
    let planned = this.#failures.get(method);
    if (!planned) this.#failures.set(method, (planned = new Map()));
    planned.set(nthCall, errorName);
  }

  setLatency(method: TestMethod, ms: number): void {
    if (!(ms >= 0)) throw new RangeError('latency must be a number of ms, 0 or more');
    this.#latency.set(method, ms);
  }

  /** Run at the start of each call: counts it, waits its latency, then throws its planned failure if any. */
  async enter(method: TestMethod): Promise<void> {
    const planned = this.#failures.get(method);
    let failure: CdmErrorName | undefined;
    if (planned) {
      const shifted = new Map<number, CdmErrorName>();
      for (const [n, name] of planned) {
        if (n === 1) failure = name;
        else shifted.set(n - 1, name);
      }
      this.#failures.set(method, shifted);
    }
    const latency = this.#latency.get(method) ?? 0;
    if (latency > 0) await this.#wait(latency);
    if (failure) throw new CdmError(failure, `${method}: failure scripted by the test key system`);
  }

  /** Ends every wait in progress with `error` (the CDM crashed under it). */
  abortWaits(error: CdmError): void {
    for (const abort of [...this.#waiting]) abort(error);
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const abort = (error: CdmError) => {
        cancel();
        this.#waiting.delete(abort);
        reject(error);
      };
      const cancel = this.#clock.schedule(ms, () => {
        this.#waiting.delete(abort);
        resolve();
      });
      this.#waiting.add(abort);
    });
  }
}
