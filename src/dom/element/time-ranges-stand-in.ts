// Until mse's src/dom/time-ranges.ts lands: the TimeRanges the element returns (length, start(i), end(i)).

export class TimeRangesStandIn {
  readonly #ranges: ReadonlyArray<readonly [number, number]>;

  constructor(ranges: ReadonlyArray<readonly [number, number]>) {
    this.#ranges = ranges.map(([s, e]) => [s, e] as const);
  }

  get length(): number {
    return this.#ranges.length;
  }

  start(index: number): number {
    return this.#at(index)[0];
  }

  end(index: number): number {
    return this.#at(index)[1];
  }

  #at(index: number): readonly [number, number] {
    const range = this.#ranges[index >>> 0];
    if (range === undefined || index < 0) throw new DOMException(`The index provided (${index}) is greater than or equal to the maximum bound (${this.#ranges.length}).`, 'IndexSizeError');
    return range;
  }

  get [Symbol.toStringTag](): string {
    return 'TimeRanges';
  }
}
