import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { splitArn } from '../aws/arn.js';

/**
 * Matching primitives of IAM policy language: `*` / `?` wildcards, ARN component matching, CIDR.
 */

const cache = new Map<string, RegExp>();

/** Glob with IAM semantics: `*` any run of characters (also `/` and `:`), `?` exactly one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  const key = (ignoreCase ? 'i:' : 's:') + pattern;
  let re = cache.get(key);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'si' : 's');
    if (cache.size > 2_000) cache.clear();
    cache.set(key, re);
  }
  return re.test(value);
}

/** Splits an ARN into its six components (the last keeps its colons); undefined when not an ARN. */
export { splitArn };

/** ArnEquals / ArnLike: component by component, wildcards allowed in each, case-sensitive. */
export function arnMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const p = splitArn(pattern);
  const v = splitArn(value);
  if (!p || !v) return false;
  for (let i = 0; i < 6; i++) if (!wildcardMatch(p[i]!, v[i]!)) return false;
  return true;
}

/** Account id of an ARN (empty for S3 buckets), or undefined. */
export function arnAccount(arn: string): string | undefined {
  const parts = splitArn(arn);
  return parts?.[4] || undefined;
}
export function arnRegion(arn: string): string | undefined {
  const parts = splitArn(arn);
  return parts?.[3] || undefined;
}

/** IpAddress: `value` inside `cidr` (v4 or v6; a bare address is /32 or /128). */
export function ipInCidr(value: string, cidr: string): boolean {
  const [net, bitsText] = cidr.trim().split('/');
  const addr = value.trim();
  if (!net) return false;
  const family = isIPv4(net) ? 'ipv4' : isIPv6(net) ? 'ipv6' : undefined;
  if (!family) return false;
  const max = family === 'ipv4' ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return false;
  const valueFamily = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : undefined;
  if (!valueFamily) return false;
  try {
    const list = new BlockList();
    list.addSubnet(net, bits, family);
    return list.check(addr, valueFamily);
  } catch {
    return false;
  }
}
