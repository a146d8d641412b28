/**
 * A compact set of event IDs: two independent 32-bit hashes per ID in open-addressed typed arrays,
 * 16 bytes per entry at most, whatever the ID's length. Deliveries can hold millions of records;
 * a Set<string> of UUIDs costs ~6x more. A false "present" needs both 32-bit hashes to collide
 * (probability ~ n / 2^64 per lookup: negligible).
 */
export class IdSet {
  private a: Uint32Array;
  private b: Uint32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.a = new Uint32Array(cap);
    this.b = new Uint32Array(cap);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the tables. */
  get bytes(): number {
    return this.a.byteLength + this.b.byteLength;
  }

  add(id: string): boolean {
    const [h1, h2] = hashes(id);
    return this.addHashed(h1, h2);
  }

  /** Adds an ID by its two hashes (`hashes(id)`), as kept by a store of IDs read earlier. */
  addHashed(h1: number, h2: number): boolean {
    if ((this.count + 1) * 2 > this.a.length) this.grow();
    return this.insert(h1, h2);
  }

  has(id: string): boolean {
    const [h1, h2] = hashes(id);
    const mask = this.a.length - 1;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      const x = this.a[i]!;
      const y = this.b[i]!;
      if (x === 0 && y === 0) return false;
      if (x === h1 && y === h2) return true;
    }
  }

  private insert(h1: number, h2: number): boolean {
    const mask = this.a.length - 1;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      const x = this.a[i]!;
      const y = this.b[i]!;
      if (x === 0 && y === 0) {
        this.a[i] = h1;
        this.b[i] = h2;
        this.count++;
        return true;
      }
      if (x === h1 && y === h2) return false;
    }
  }

  private grow(): void {
    const oa = this.a;
    const ob = this.b;
    this.a = new Uint32Array(oa.length * 2);
    this.b = new Uint32Array(ob.length * 2);
    this.count = 0;
    for (let i = 0; i < oa.length; i++) if (oa[i] !== 0 || ob[i] !== 0) this.insert(oa[i]!, ob[i]!);
  }
}

/** FNV-1a and a murmur-style mix over UTF-16 code units; (0,0) is reserved for "empty". */
export function hashes(s: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 >>>= 0;
  h2 = (h2 ^ (h2 >>> 13)) >>> 0;
  if (h1 === 0 && h2 === 0) h2 = 1;
  return [h1, h2];
}

/** A small deterministic hash for seeded sampling choices. */
export function seededHash(s: string, seed: number): number {
  const [h1] = hashes(`${seed}:${s}`);
  return h1;
}
