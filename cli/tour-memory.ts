/**
 * The tour's lines on the sequence chapter's three claims (forgetting measured directly and
 * behaviourally, parallel training): the headline of each, computed from the measured results that
 * `llmcore memory gradients | distance | parallel --save docs/sequence-claims.json` kept — the tour
 * trains nothing here, and prints no figure that file does not hold.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sequenceHeadlines, type SequenceClaims } from '../src/models/memory/claims.js';
import { readClaims } from './memory.js';
import { packageRoot } from './translate.js';

/** Where the claims live in a checkout: docs/sequence-claims.json under the package root. */
export function defaultClaimsFile(): string {
  return join(packageRoot(), 'docs', 'sequence-claims.json');
}

/**
 * Prints the headline of each claim in `file` through `say`, with the command that measured it
 * and where the tables are. An absent file (a package without docs/) is skipped with one line; a file
 * that is there but unreadable is an error. Returns what it printed from, for the tour's --json.
 * @example tourSequenceClaims(printLine) // three lines: forgetting directly, behaviourally, parallel training
 */
export function tourSequenceClaims(say: (line: string) => void, file: string = defaultClaimsFile()): { headlines: string[]; claims: SequenceClaims } | { skipped: string } {
  if (!existsSync(file)) {
    const skipped = `no measured claims at ${file} (write them with \`llmcore memory gradients|distance|parallel --save ${file}\`)`;
    say(`(the sequence claims are skipped: ${skipped})`);
    return { skipped };
  }
  const claims = readClaims(file, 'the claims file');
  const headlines = sequenceHeadlines(claims);
  if (headlines.length === 0) {
    const skipped = `${file} holds none of the three claims`;
    say(`(the sequence claims are skipped: ${skipped})`);
    return { skipped };
  }
  for (const h of headlines) say(`  • ${h}`);
  say('  (measured by `llmcore memory gradients`, `llmcore memory distance` and `llmcore memory parallel`; tables and plots in the README, chapter 3)');
  return { headlines, claims };
}
