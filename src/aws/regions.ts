import { createRequire } from 'node:module';

/** AWS region names: `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`, `eusc-de-east-1`. */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
/** The shape of a region name (cheap, no SDK): ARNs and flags are checked with it first. */
export const isValidRegion = (r: string): boolean => REGION_PATTERN.test(r);

/**
 * Regions launched after 20 March 2019 are disabled until the account opts in (AWS Account
 * Management, "Specify which AWS Regions your account can use"). A call there from an account
 * that has not enabled them is refused as an invalid security token.
 */
const OPT_IN_REGIONS = new Set([
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
]);
export const isOptInRegion = (r: string): boolean => OPT_IN_REGIONS.has(r);

interface PartitionResult {
  name: string;
  description?: string;
}
type PartitionFn = (region: string) => PartitionResult;

const load = createRequire(import.meta.url);
let partitionFn: PartitionFn | undefined;
/** The SDK's partition metadata (the same the clients resolve endpoints with), loaded on first use. */
const partition = (r: string): PartitionResult => (partitionFn ??= (load('@aws-sdk/core/client') as { partition: PartitionFn }).partition)(r);

/** The partition of a region (`aws`, `aws-cn`, `aws-us-gov` ...), from the SDK's metadata. */
export const partitionOfRegion = (r: string): string => partition(r).name;

/** True when the SDK's partition metadata lists the region (it then carries a description). */
export const isKnownRegion = (r: string): boolean => isValidRegion(r) && partition(r).description !== undefined;

// Every region name is <area>-<direction>-<n>; asking the metadata about each combination lists
// the regions it knows without reading its private tables.
const AREAS = ['us', 'eu', 'ap', 'sa', 'ca', 'me', 'af', 'il', 'mx', 'cn', 'us-gov', 'us-iso', 'us-isob', 'us-isof', 'eu-isoe', 'eusc-de'];
const DIRECTIONS = ['north', 'south', 'east', 'west', 'central', 'northeast', 'northwest', 'southeast', 'southwest'];
let known: string[] | undefined;
export function knownRegions(): string[] {
  if (known) return known;
  const out: string[] = [];
  for (const a of AREAS) for (const d of DIRECTIONS) for (let n = 1; n <= 9; n++) {
    const r = `${a}-${d}-${n}`;
    if (partition(r).description !== undefined) out.push(r);
  }
  return (known = out);
}

/** Edit distance where swapping two neighbours (wset/west) counts as one slip (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known regions closest to a mistyped one (at most two edits away), best first. */
export function suggestRegions(r: string): string[] {
  const scored = knownRegions()
    .map((k) => ({ k, d: distance(r, k) }))
    .filter((x) => x.d <= 2)
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k));
  const best = scored[0]?.d;
  return scored.filter((x) => x.d === best).map((x) => x.k).slice(0, 3);
}

export type RegionCheck = { ok: true; known: boolean } | { ok: false; message: string };

/**
 * A region is accepted when the SDK knows it, or when it has a region's shape and is not a typo of
 * one it knows (a region newer than this SDK; the first call then says whether it answers).
 */
export function checkRegion(r: string): RegionCheck {
  if (!isValidRegion(r)) {
    const s = suggestRegions(r);
    return { ok: false, message: `${JSON.stringify(r)} is not an AWS region${s.length ? ` (did you mean ${s.join(' or ')}?)` : ' (e.g. eu-west-1)'}` };
  }
  if (isKnownRegion(r)) return { ok: true, known: true };
  const s = suggestRegions(r);
  if (s.length) return { ok: false, message: `${JSON.stringify(r)} is not an AWS region (did you mean ${s.join(' or ')}?)` };
  return { ok: true, known: false };
}
