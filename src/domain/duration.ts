/** Durations as the mapping writes them: a whole number and a unit, `0s`, `30m`, `1h`, `7d`, `2w`. */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export const DURATION_PATTERN = /^(\d+)(s|m|h|d|w)$/;

/** The duration in milliseconds, or null when `text` is not one. */
export function durationMs(text: string): number | null {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
