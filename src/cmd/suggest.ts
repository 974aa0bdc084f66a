/**
 * "Did you mean" for mistyped subcommands: commander treats a stray word as
 * an excess argument of the root command (which runs the node), so the
 * root action names it as an unknown command with the nearest known one.
 */

export class UnknownCommandError extends Error {
  override name = 'UnknownCommandError';
}

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent swaps), as commander's suggester. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i]![j] = v;
    }
  }
  return at(a.length, b.length);
}

/** The error for `word` given the known names; a suggestion only when it is close (≤ 40 % of the word edited, as commander). */
export function unknownCommand(word: string, known: readonly string[]): UnknownCommandError {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(word, k);
    if (dist < bestD && dist / Math.max(word.length, 1) <= 0.4) {
      best = k;
      bestD = dist;
    }
  }
  return new UnknownCommandError(`unknown command '${word}'${best ? ` (did you mean ${best}?)` : ''}`);
}
