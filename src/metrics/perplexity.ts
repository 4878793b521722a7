/**
 * Perplexity: exp of the mean negative log-likelihood per token (natural log), the number a language
 * model's or a translator's cross-entropy loss is usually reported as.
 */

/**
 * exp(totalNll / tokens). `totalNll` is the summed negative log-likelihood in nats over `tokens`
 * predicted tokens (e.g. the sum of a cross-entropy loss with reduction 'sum').
 * @example perplexity(Math.log(4) * 10, 10) // 4
 */
export function perplexity(totalNll: number, tokens: number): number {
  if (!(tokens > 0)) throw new Error(`perplexity: tokens must be positive, got ${tokens}`);
  if (!Number.isFinite(totalNll) || totalNll < 0) throw new Error(`perplexity: totalNll must be a finite number >= 0, got ${totalNll}`);
  return Math.exp(totalNll / tokens);
}

/** Perplexity from a mean cross-entropy loss in nats per token. */
export function perplexityFromLoss(meanLoss: number): number {
  if (!Number.isFinite(meanLoss) || meanLoss < 0) throw new Error(`perplexityFromLoss: loss must be a finite number >= 0, got ${meanLoss}`);
  return Math.exp(meanLoss);
}
