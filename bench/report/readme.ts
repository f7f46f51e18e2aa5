/** Rewrites the figures between the markers of bench/README.md; the rest of the file is left alone. */
import { readFileSync, writeFileSync } from 'node:fs';

export const FIGURES_START = '<!-- bench:figures:start -->';
export const FIGURES_END = '<!-- bench:figures:end -->';

export function updateReadmeFigures(path: string, markdown: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(FIGURES_START);
  const end = text.indexOf(FIGURES_END);
  if (start === -1 || end < start) throw new Error(`${path}: the markers ${FIGURES_START} … ${FIGURES_END} are missing`);
  writeFileSync(path, `${text.slice(0, start + FIGURES_START.length)}\n${markdown.trimEnd()}\n${text.slice(end)}`);
}
