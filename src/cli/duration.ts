// One duration syntax for every CLI option that takes one: a number with an optional unit (ms, s, m, h, d; seconds
// when none), "500ms", "2s", "1.5", "15m", "7d".
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, or an Error naming the option and showing `examples` (as the option's --help does). */
export function parseDuration(option: string, text: string, examples = '2s or 500ms'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  const seconds = match === null ? NaN : Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']!;
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new Error(`${option} takes a duration such as ${examples}`);
  return seconds;
}
