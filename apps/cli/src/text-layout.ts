import { stripVTControlCharacters } from 'node:util';

// How text takes room on a terminal: its width in columns, wrapped to a width, a table laid out
// to fit one. Apart from `Output` because they are pure functions of strings and widths, which
// hold whatever stream the text goes to.

/** A column is not squeezed below this, unless its content is narrower. */
const MIN_COLUMN = 8;
/**
 * A column is not squeezed below its longest word either, up to this width: an identifier broken
 * in two (`lamp-replic` / `a-params`) reads worse than the same values as blocks of labelled lines.
 */
const MAX_UNBROKEN_WORD = 20;

/** Characters that take no column: combining marks, format characters (zero-width joiner, variation selectors). */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
/**
 * Characters that take two columns: emoji shown as emoji, and the East Asian wide and fullwidth
 * ranges (the ranges string-width, which cli-table3 measures with, counts as two).
 */
const DOUBLE_WIDTH =
  /^(?:\p{Emoji_Presentation}|[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1b000}-\u{1b001}\u{1f200}-\u{1f251}\u{20000}-\u{3fffd}])$/u;

/** The columns `text` takes on a terminal (its widest line), escape codes not counted. */
export function displayWidth(text: string): number {
  let widest = 0;
  for (const line of stripVTControlCharacters(text).split('\n')) {
    let width = 0;
    for (const char of line) {
      const code = char.codePointAt(0) ?? 0;
      if (code < 0x20 || (code >= 0x7f && code < 0xa0) || ZERO_WIDTH.test(char)) continue;
      width += DOUBLE_WIDTH.test(char) ? 2 : 1;
    }
    widest = Math.max(widest, width);
  }
  return widest;
}

/** An SGR escape (what picocolors writes) or one character. */
const TOKEN = /\x1b\[[0-9;]*m|[\s\S]/gu;

/**
 * Splits one word into a head at most `width` columns wide (at least one character) and the rest; escape codes stay with the text they
 * colour.
 */
function splitAtWidth(word: string, width: number): [string, string] {
  let head = '';
  let used = 0;
  let taken = 0;
  for (const [token] of word.matchAll(TOKEN)) {
    const w = token.startsWith('\x1b') ? 0 : displayWidth(token);
    if (w > 0 && used + w > width && taken > 0) break;
    head += token;
    used += w;
    if (w > 0) taken++;
  }
  return [head, word.slice(head.length)];
}

/**
 * Wraps `text` to lines at most `width` columns wide: on spaces where it can, and inside a word
 * longer than a line (an ARN, a snapshot id), so nothing is cut off. Escape codes are kept and not counted.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    let current = '';
    let currentWidth = 0;
    let started = false;
    for (let word of line.split(' ')) {
      let wordWidth = displayWidth(word);
      if (!started && wordWidth <= width) {
        [current, currentWidth, started] = [word, wordWidth, true];
        continue;
      }
      if (started && currentWidth + 1 + wordWidth <= width) {
        current += ` ${word}`;
        currentWidth += 1 + wordWidth;
        continue;
      }
      // The spaces at a line break are the break.
      if (started && wordWidth === 0) continue;
      if (started) lines.push(current);
      while (wordWidth > width) {
        const [head, rest] = splitAtWidth(word, width);
        lines.push(head);
        word = rest;
        wordWidth = displayWidth(word);
      }
      [current, currentWidth, started] = [word, wordWidth, true];
    }
    lines.push(started ? current : '');
  }
  return lines;
}

/** How a table is laid out in a given width: as a table with these content widths, or as one block of labelled values per row. */
export type TableLayout = { readonly kind: 'table'; readonly widths: readonly number[] } | { readonly kind: 'blocks' };

/**
 * Fits a table into `width` columns. Each column gets its content's width when all fit; else every
 * column gets at least its minimum (its longest word up to {@link MAX_UNBROKEN_WORD}, and no less
 * than {@link MIN_COLUMN}) and the rest of the room in proportion to what it lacks, its cells
 * wrapped. When even the minimums do not fit, the rows are printed as blocks of `label  value`
 * lines: dropping columns would hide values, and at 3 a.m. the hidden column is the one that mattered.
 */
export function layoutTable(head: readonly string[], rows: readonly (readonly string[])[], width: number): TableLayout {
  // cli-table3 draws a border before each column and after the last, and pads each cell by one space on each side.
  const available = width - (3 * head.length + 1);
  const natural = head.map((h, i) => Math.max(1, displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const longestWord = (text: string) => Math.max(0, ...stripVTControlCharacters(text).split(/\s+/).map(displayWidth));
  const minimum = head.map((h, i) => {
    const word = Math.max(longestWord(h), ...rows.map((r) => longestWord(r[i] ?? '')));
    return Math.min(natural[i]!, Math.max(MIN_COLUMN, Math.min(MAX_UNBROKEN_WORD, word)));
  });
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(natural) <= available) return { kind: 'table', widths: natural };
  if (sum(minimum) > available) return { kind: 'blocks' };
  const lacking = natural.map((n, i) => n - minimum[i]!);
  const spare = available - sum(minimum);
  const widths = minimum.map((m, i) => m + Math.floor((spare * lacking[i]!) / sum(lacking)));
  // What the rounding down left over goes one column each to those still short of their content.
  for (let i = 0, left = available - sum(widths); left > 0 && i < widths.length; i++) {
    if (widths[i]! < natural[i]!) {
      widths[i]!++;
      left--;
    }
  }
  return { kind: 'table', widths };
}
