/** Small statistics for sampled estimates. */

/** Wilson score interval for a binomial proportion (95% by default): robust at 0 and n. */
export function wilson(successes: number, n: number, z = 1.96): [number, number] {
  if (n <= 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Length of the union of intervals (ms). */
export { totalLength as unionLength } from '../util/intervals.js';
