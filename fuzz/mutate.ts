// Structure-aware mutations: ISO-BMFF inputs are changed box by box (sizes, counts, types, nesting, order, copies
// between files) with every enclosing size kept consistent, so that mutants get past the size checks into the
// parsers behind them; pssh init data the same way; JSON inputs (keyids, licenses, server bodies) as JSON trees.

export type Rng = () => number;

/** A small fast PRNG (mulberry32), seeded per worker so that a run can be repeated. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;

/** Values that sit on the edges of count and size checks. */
function interesting(r: Rng, near: number): number {
  return pick(r, [0, 1, 2, 7, 8, 9, 15, 16, 255, 0xffff, 0x10000, 0xffffff, 1 << 24, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, near - 1, near, near + 1, near * 2, Math.floor(near / 2), int(r, 0x100000000)]) >>> 0;
}

// --- ISO-BMFF --------------------------------------------------------------------------------------------------

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex', 'edts', 'dinf', 'sinf', 'schi', 'udta', 'mfra']);
const ENTRY_SKIP: Record<string, number> = { encv: 78, avc1: 78, hvc1: 78, enca: 28, mp4a: 28 };
const TYPES = ['trun', 'senc', 'saiz', 'saio', 'stsz', 'stz2', 'stco', 'co64', 'stsc', 'sbgp', 'sgpd', 'pssh', 'tenc', 'tfhd', 'trex', 'free', 'moof', 'moov', 'traf', 'trak', 'stsd', 'encv', 'sinf', 'schm', 'frma', 'mdat', 'uuid', 'minf'];

interface Node {
  start: number;
  end: number;
  header: number;
  type: string;
  /** Indices of the enclosing boxes in the list, outermost first. */
  parents: number[];
}

/** Every box reachable through containers and sample entries, with its ancestors; bounded walk for odd inputs. */
export function boxTree(buf: Buffer): Node[] {
  const out: Node[] = [];
  const walk = (from: number, to: number, parents: number[], depth: number) => {
    let p = from;
    while (p + 8 <= to && out.length < 4096 && depth < 32) {
      let size = buf.readUInt32BE(p);
      const type = buf.toString('latin1', p + 4, p + 8);
      if (size === 0) size = to - p;
      if (size < 8 || p + size > to) return;
      const i = out.push({ start: p, end: p + size, header: 8, type, parents }) - 1;
      const inner = [...parents, i];
      if (CONTAINERS.has(type)) walk(p + 8, p + size, inner, depth + 1);
      else if (type === 'stsd') walk(p + 16, p + size, inner, depth + 1);
      else if (ENTRY_SKIP[type] !== undefined) walk(p + 8 + ENTRY_SKIP[type]!, p + size, inner, depth + 1);
      p += size;
    }
  };
  walk(0, buf.length, [], 0);
  return out;
}

/** Replaces bytes [from, to) by `insert`, growing or shrinking the size field of every box in `parents`. */
function splice(buf: Buffer, nodes: Node[], parents: number[], from: number, to: number, insert: Buffer): Buffer {
  const out = Buffer.concat([buf.subarray(0, from), insert, buf.subarray(to)]);
  const delta = insert.length - (to - from);
  for (const i of parents) {
    const n = nodes[i]!;
    const size = out.readUInt32BE(n.start);
    if (size >= 8) out.writeUInt32BE((size + delta) >>> 0, n.start);
  }
  return out;
}

/** `inner` inside `depth` nested boxes of `type`, all headers written at once (wrapping one by one copies it each time). */
function wrap(type: string, depth: number, inner: Buffer): Buffer {
  const out = Buffer.alloc(8 * depth + inner.length);
  for (let k = 0; k < depth; k++) {
    out.writeUInt32BE(out.length - 8 * k, 8 * k);
    out.write(type, 8 * k + 4, 'latin1');
  }
  inner.copy(out, 8 * depth);
  return out;
}

export function mutateMp4(r: Rng, input: Buffer, donors: readonly Buffer[]): Buffer {
  const nodes = boxTree(input);
  if (nodes.length === 0) return mutateBytes(r, input);
  const n = pick(r, nodes);
  const i = nodes.indexOf(n);
  const b = Buffer.from(input);
  switch (int(r, 11)) {
    case 0: // the box's size field
      b.writeUInt32BE(interesting(r, n.end - n.start), n.start);
      return b;
    case 1: {
      // a 32-bit field among the first ones of the payload: version/flags, counts, offsets
      const at = n.start + 8 + 4 * int(r, 5);
      if (at + 4 <= n.end) b.writeUInt32BE(interesting(r, b.readUInt32BE(at)), at);
      return b;
    }
    case 2: {
      // a flags byte or a small field
      const at = n.start + 8 + int(r, Math.min(24, n.end - n.start - 8) || 1);
      if (at < n.end) b[at] = pick(r, [0, 1, 2, 0xff, b[at]! ^ (1 << int(r, 8))]);
      return b;
    }
    case 3: // the type
      b.write(pick(r, TYPES), n.start + 4, 'latin1');
      return b;
    case 4: // delete the box
      return splice(input, nodes, n.parents, n.start, n.end, Buffer.alloc(0));
    case 5: // duplicate it next to itself
      return splice(input, nodes, n.parents, n.end, n.end, input.subarray(n.start, n.end));
    case 6: // wrap it in a container, several deep
      return splice(input, nodes, n.parents, n.start, n.end, wrap(pick(r, ['traf', 'trak', 'minf', 'stbl', 'moof', 'sinf']), pick(r, [1, 2, 3, 40, 3000]), input.subarray(n.start, n.end)));
    case 7: {
      // swap with a sibling
      const sib = nodes.filter((m) => m !== n && m.parents.length === n.parents.length && m.parents.every((p, k) => p === n.parents[k]));
      if (sib.length === 0) return b;
      const m = pick(r, sib);
      const [x, y] = n.start < m.start ? [n, m] : [m, n];
      return Buffer.concat([input.subarray(0, x.start), input.subarray(y.start, y.end), input.subarray(x.end, y.start), input.subarray(x.start, x.end), input.subarray(y.end)]);
    }
    case 8: {
      // a box of the same type from another input in its place
      const donor = pick(r, donors);
      const same = boxTree(donor).filter((m) => m.type === n.type);
      if (same.length === 0) return b;
      const m = pick(r, same);
      return splice(input, nodes, n.parents, n.start, n.end, donor.subarray(m.start, m.end));
    }
    case 9: {
      // grow or shrink the payload, keeping the enclosing sizes right (counts now disagree with the bytes)
      const cut = int(r, 2) === 0;
      if (cut && n.end - n.start > 8) {
        const len = 1 + int(r, Math.min(64, n.end - n.start - 8));
        const at = n.end - len;
        const out = splice(input, nodes, [...n.parents, i], at, n.end, Buffer.alloc(0));
        return out;
      }
      return splice(input, nodes, [...n.parents, i], n.end, n.end, Buffer.alloc(pick(r, [1, 4, 8, 16, 64]), int(r, 256)));
    }
    default:
      return mutateBytes(r, input);
  }
}

// --- pssh init data --------------------------------------------------------------------------------------------

export function mutatePssh(r: Rng, input: Buffer, donors: readonly Buffer[]): Buffer {
  const boxes: Node[] = [];
  for (let p = 0; p + 8 <= input.length && boxes.length < 64; ) {
    const size = input.readUInt32BE(p);
    if (size < 8 || p + size > input.length) break;
    boxes.push({ start: p, end: p + size, header: 8, type: 'pssh', parents: [] });
    p += size;
  }
  if (boxes.length === 0 || int(r, 5) === 0) return mutateBytes(r, input);
  const n = pick(r, boxes);
  const b = Buffer.from(input);
  switch (int(r, 6)) {
    case 0:
      b.writeUInt32BE(interesting(r, n.end - n.start), n.start);
      return b;
    case 1: // version
      b[n.start + 8] = pick(r, [0, 1, 2, 0xff]);
      return b;
    case 2: {
      // KID_count (v1) or DataSize
      const at = n.start + 28 + (int(r, 2) === 0 ? 0 : Math.max(0, n.end - n.start - 32));
      if (at + 4 <= n.end) b.writeUInt32BE(interesting(r, b.readUInt32BE(at)), at);
      return b;
    }
    case 3:
      return Buffer.concat([input, input.subarray(n.start, n.end)]);
    case 4:
      return Buffer.concat([input.subarray(0, n.start), input.subarray(n.end)]);
    default:
      return Buffer.concat([input, pick(r, donors)]);
  }
}

// --- JSON --------------------------------------------------------------------------------------------------------

const STRINGS = ['', 'oct', 'AAAAAAAAAAAAAAAAAAAAAA', 'LwVHf8JLtPrv2GUXFW2v_A', 'LwVHf8JLtPrv2GUXFW2v_A==', 'LwVHf8JLtPrv2GUXFW2v/A', 'temporary', 'persistent-license', 'ü', '\u0000', 'x'.repeat(1000)];

function randomValue(r: Rng, depth = 0): unknown {
  switch (int(r, depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return pick(r, [0, -1, 1.5, 1e308, 2 ** 53, NaN]);
    case 2:
      return pick(r, [true, false]);
    case 3:
    case 4:
      return pick(r, STRINGS);
    case 5:
      return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
    case 6:
      return { kty: 'oct', kid: pick(r, STRINGS), k: pick(r, STRINGS) };
    default:
      return Object.fromEntries(Array.from({ length: int(r, 3) }, () => [pick(r, ['keys', 'kids', 'type', 'kty', 'kid', 'k', '__proto__', 'constructor']), randomValue(r, depth + 1)]));
  }
}

/** Every container (object or array) in the tree, so one can be picked to mutate. */
function containers(v: unknown, out: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (v !== null && typeof v === 'object' && out.length < 256) {
    out.push(v as Record<string, unknown>);
    for (const x of Object.values(v as object)) containers(x, out);
  }
  return out;
}

const HOLE = '\u0000deep\u0000';

/**
 * Largest mutant of the targets behind a 64 KB limit (init data, licenses, bodies): a little over it, so the limit
 * itself is tried. Mutants are kept under it at every step: copies of copies otherwise grow trees of gigabytes that
 * cost the mutator seconds (and the memory check a false finding) before being cut.
 */
export const MAX_SMALL_INPUT = 70_000;

/** Approximate JSON size of a value, or Infinity when it cannot be serialised (too deep). */
function jsonSize(v: unknown): number {
  try {
    return (JSON.stringify(v) ?? 'null').length;
  } catch {
    return Infinity;
  }
}

/** Whether brackets nest deeper than `limit` anywhere (strings ignored only roughly: this only picks a mutator). */
function nestsDeeper(input: Buffer, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Inputs found not to be JSON (or nested too deep to parse cheaply). Corpus entries are picked again and again and
 * never change: finding that out again each time (a 70 KB entry cut mid-text, parsed to its end) was half the
 * mutator's time on the JSON targets.
 */
const notJson = new WeakSet<Buffer>();

/**
 * `steps` mutations of a JSON input's tree, parsed and serialised once (each costs as much as several mutations on
 * inputs of tens of KB), or one byte-level mutation.
 */
export function mutateJson(r: Rng, input: Buffer, steps = 1): Buffer {
  if (input.length > MAX_SMALL_INPUT) return mutateBytes(r, input.subarray(0, MAX_SMALL_INPUT));
  if (notJson.has(input)) return mutateBytes(r, input);
  const root: { tree: unknown } = { tree: undefined };
  try {
    // JSON.parse takes milliseconds on thousands of levels: such inputs (made by deep nesting below) get byte mutations only.
    if (nestsDeeper(input, 64)) throw new RangeError('nested too deep');
    root.tree = JSON.parse(input.toString('utf8'));
  } catch {
    notJson.add(input);
    return mutateBytes(r, input);
  }
  if (int(r, 6) === 0) return mutateBytes(r, input);
  const room = { left: MAX_SMALL_INPUT - input.length };
  let deep: string | undefined;
  for (let k = 0; k < steps; k++) deep = mutateTree(r, root, room, deep === undefined) ?? deep;
  const text = jsonText(root.tree);
  if (text === undefined) return mutateBytes(r, input);
  return Buffer.from(deep === undefined ? text : text.replace(JSON.stringify(HOLE), deep));
}

/**
 * One change to the tree in place. Returns the text of a deeply nested value when it put HOLE where that goes:
 * built as text, since JSON.stringify itself recurses and would overflow on the deepest.
 */
function mutateTree(r: Rng, root: { tree: unknown }, room: { left: number }, mayNest: boolean): string | undefined {
  const all = containers(root.tree);
  if (all.length === 0) {
    root.tree = randomValue(r);
    return undefined;
  }
  const c = pick(r, all);
  const keys = Object.keys(c);
  switch (int(r, 6)) {
    case 0:
    case 1: {
      // replace a member with a value of another kind
      const k = keys.length > 0 ? pick(r, keys) : '0';
      (c as Record<string, unknown>)[k] = randomValue(r);
      return undefined;
    }
    case 2: // delete a member
      if (keys.length > 0) delete (c as Record<string, unknown>)[pick(r, keys)];
      return undefined;
    case 3: {
      // many copies: counts past the limits
      const k = keys.length > 0 ? pick(r, keys) : undefined;
      const n = pick(r, [2, 255, 256, 257, 3000]);
      let v = k !== undefined ? (c as Record<string, unknown>)[k] : randomValue(r);
      // The count matters, not the copies' size: a value too large to copy n times within the bound is replaced.
      if ((jsonSize(v) + 1) * n > room.left) v = pick(r, [null, 0, 'oct', 'AAAAAAAAAAAAAAAAAAAAAA', { kty: 'oct' }]);
      const size = jsonSize(v);
      room.left -= (size + 1) * n;
      // Copies, not references: a later step that changes one shared object would change them all at once,
      // and sizes would multiply past any bound.
      const copies = Array.from({ length: n }, () => cloneJson(v));
      if (Array.isArray(c)) c.push(...copies);
      else if (k !== undefined) (c as Record<string, unknown>)[k] = copies;
      return undefined;
    }
    case 4: {
      if (!mayNest) return undefined;
      // deep nesting
      const d = pick(r, [10, 1000, 20000]);
      (c as Record<string, unknown>)[keys.length > 0 ? pick(r, keys) : 'keys'] = HOLE;
      return '['.repeat(d) + JSON.stringify(randomValue(r)) + ']'.repeat(d);
    }
    default: {
      const k = keys.length > 0 ? pick(r, keys) : 'kid';
      (c as Record<string, unknown>)[k] = pick(r, STRINGS) + pick(r, STRINGS);
      return undefined;
    }
  }
}

/** A deep copy of a parsed JSON value (own "__proto__" members stay members: fromEntries defines, never sets). */
function cloneJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneJson);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneJson(x)]));
}

/** The tree as JSON, or undefined for a corpus entry nested too deep for JSON.stringify's recursion. */
function jsonText(tree: unknown): string | undefined {
  try {
    return JSON.stringify(tree) ?? 'null';
  } catch {
    return undefined;
  }
}

// --- bytes --------------------------------------------------------------------------------------------------------

export function mutateBytes(r: Rng, input: Buffer): Buffer {
  const b = Buffer.from(input);
  switch (int(r, 6)) {
    case 0:
      if (b.length > 0) {
        const at = int(r, b.length);
        b[at] = b[at]! ^ (1 << int(r, 8));
      }
      return b;
    case 1:
      if (b.length > 0) b[int(r, b.length)] = int(r, 256);
      return b;
    case 2:
      return b.subarray(0, int(r, b.length + 1));
    case 3: {
      const at = int(r, b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.alloc(1 + int(r, 16), int(r, 256)), b.subarray(at)]);
    }
    case 4: {
      const at = int(r, b.length + 1);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 16))]);
    }
    default:
      if (b.length >= 4) b.writeUInt32BE(interesting(r, b.length), int(r, b.length - 3));
      return b;
  }
}

/** Largest MP4 mutant: a few times the largest seed, so that mutants stay as cheap to run as the seeds. */
export const MAX_MP4_INPUT = 256 * 1024;

/** One to four mutations of the kind that suits the target (JSON ones on one parse of the input). */
export function mutate(target: string, r: Rng, input: Buffer, donors: readonly Buffer[]): Buffer {
  const steps = 1 + int(r, 4);
  if (target !== 'mp4' && target !== 'mse' && target !== 'cenc' && target !== 'webm') {
    const out = mutateJson(r, input, steps);
    return out.length > MAX_SMALL_INPUT ? out.subarray(0, MAX_SMALL_INPUT) : out;
  }
  let out = input;
  for (let k = steps; k > 0; k--) {
    if (target === 'mp4' || target === 'mse') {
      // Mutants grow (duplicated boxes, deep wrappers): a step that would pass the bound is not taken.
      const next = mutateMp4(r, out, donors);
      if (next.length <= MAX_MP4_INPUT) out = next;
    } else if (target === 'cenc') out = mutatePssh(r, out, donors);
    else out = mutateBytes(r, out);
    // Init data is refused above 64 KB before parsing: keep mutants near that.
    if (target !== 'mp4' && target !== 'mse' && out.length > MAX_SMALL_INPUT) out = out.subarray(0, MAX_SMALL_INPUT);
  }
  return out;
}
