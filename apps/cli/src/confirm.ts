import { createInterface } from 'node:readline/promises';
import { UsageError } from './errors.js';

/**
 * Asks a person to confirm by typing `word`. Never silent: with no terminal to ask on (a pipe,
 * CI) it refuses, and only `--yes` goes ahead unasked.
 * @returns whether the person typed the word.
 * @throws {@link UsageError} when there is no terminal.
 */
export async function confirm(question: string, word: string): Promise<boolean> {
  if (!process.stdin.isTTY)
    throw new UsageError(`refusing to act without confirmation: there is no terminal to ask on (pass --yes to confirm in advance)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} Type "${word}" to go ahead: `);
    return answer.trim() === word;
  } catch (e) {
    // Ctrl-C or Ctrl-D at the prompt is a no.
    if ((e as Error).name === 'AbortError') return false;
    throw e;
  } finally {
    rl.close();
  }
}
