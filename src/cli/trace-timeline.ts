// An EME trace (JSON lines, see src/eme/trace.ts) as a readable timeline: one line per entry, time from the first
// entry, each session in a column of its own (navigator, accesses and MediaKeys in the first), so that what happens
// to several sessions at once reads side by side.

import type { TraceEntry } from '../eme/trace.js';

const COLUMN = 30;
const MAX_TEXT = 160;

function compact(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 3)}...` : text;
}

function args(values: Record<string, unknown> | undefined): string {
  return Object.entries(values ?? {})
    .map(([name, value]) => `${name}: ${compact(value)}`)
    .join(', ');
}

function describe(entry: TraceEntry): string {
  switch (entry.kind) {
    case 'call':
      return `${entry.method}(${args(entry.args)})`;
    case 'resolve':
      return `ok   ${entry.method}${entry.value === undefined ? '' : ` -> ${compact(entry.value)}`}`;
    case 'reject':
      return `FAIL ${entry.method}: ${entry.error?.name}: ${entry.error?.message}`;
    case 'warning':
      return `WARN ${entry.message}`;
    case 'event': {
      const detail = entry.detail ?? {};
      if (entry.type === 'message') return `event message ${String(detail['messageType'])} ${compact(detail['message'])}`;
      if (entry.type === 'keystatuseschange') {
        const statuses = Object.entries((detail['keyStatuses'] ?? {}) as Record<string, string>);
        return `event keystatuseschange ${statuses.length === 0 ? '(none)' : statuses.map(([kid, status]) => `${kid}: ${status}`).join(', ')}`;
      }
      if (entry.type === 'expiration') return `expiration = ${detail['expiration'] === null ? 'NaN' : new Date(detail['expiration'] as number).toISOString()}`;
      if (entry.type === 'closed') return `closed: ${String(detail['reason'])}`;
      // A test key system script's step (emekit scenario), written like a call.
      if (entry.type === 'step') {
        const { do: name, ...rest } = detail;
        return `${String(name)}(${args(rest)})`;
      }
      return `event ${entry.type} ${compact(detail)}`;
    }
  }
}

/** The timeline's lines: a header naming the columns (a session's: its trace name and session ID), then the entries. */
export function formatTimeline(entries: readonly TraceEntry[]): string[] {
  const columns = new Map<string, string>([['', 'navigator, access, MediaKeys']]);
  for (const entry of entries) {
    if (!entry.target.startsWith('session')) continue;
    columns.set(entry.target, entry.sessionId ? `${entry.target} (id ${entry.sessionId})` : (columns.get(entry.target) ?? entry.target));
  }
  const index = new Map([...columns.keys()].map((target, i) => [target, i]));
  const start = entries[0]?.time ?? 0;
  const header = `${'ms'.padStart(9)}  ${[...columns.values()].map((title) => title.slice(0, COLUMN - 2).padEnd(COLUMN)).join('').trimEnd()}`;
  const lines = [header];
  for (const entry of entries) {
    const column = index.get(entry.target.startsWith('session') ? entry.target : '') ?? 0;
    const who = entry.target.startsWith('session') ? '' : `${entry.target}: `;
    lines.push(`${(entry.time - start).toFixed(1).padStart(9)}  ${' '.repeat(column * COLUMN)}${who}${describe(entry)}`);
  }
  return lines;
}

/** Parses JSON lines; a line that is not a trace entry is an error naming it. */
export function parseTrace(text: string): TraceEntry[] {
  const entries: TraceEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1} is not JSON`);
    }
    const e = entry as Partial<TraceEntry> | null;
    if (typeof e !== 'object' || e === null || typeof e.time !== 'number' || typeof e.kind !== 'string' || typeof e.target !== 'string') {
      throw new Error(`line ${i + 1} is not an EME trace entry`);
    }
    entries.push(e as TraceEntry);
  });
  return entries;
}
