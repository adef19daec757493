/** Levenshtein distance, case-insensitive: "web-prd" vs "web-prod" is 1, "heap admins" vs "Heap Admins" is 0. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[t.length] ?? 0;
}

/**
 * The closest candidate within a third of the word's length (at least 1, at most 3 edits); else the one candidate
 * the input abbreviates ("environment:dev" for "environment:development"); else null.
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | null {
  const list = [...candidates];
  return closestByDistance(input, list) ?? uniqueExtension(input, list);
}

function uniqueExtension(input: string, candidates: readonly string[]): string | null {
  const tail = input.slice(input.lastIndexOf(':') + 1);
  if (tail.length < 3) return null;
  const hits = candidates.filter((c) => c !== input && c.toLowerCase().startsWith(input.toLowerCase()));
  return hits.length === 1 ? (hits[0] ?? null) : null;
}

function closestByDistance(input: string, candidates: readonly string[]): string | null {
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === input) continue;
    const d = editDistance(input, c);
    if (d <= limit && (d < bestDistance || (d === bestDistance && best !== null && c < best))) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closestMatch(input, candidates);
  return match === null ? '' : ` (did you mean "${match}"?)`;
}

/** `"a", "b", "c"` for messages. */
export const quoteList = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');
