import { ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import type { KeyObject } from 'node:crypto';
import type { AwsClients } from '../aws/clients.js';
import { classifyError } from '../aws/call.js';
import { fingerprintOf, loadPublicKey } from './digest.js';
import { isoSeconds } from './keys.js';
import { CouldNotCheckError } from './errors.js';

/** The IAM action behind the public-key reads. */
export const PUBLIC_KEY_ACTIONS = ['cloudtrail:ListPublicKeys'] as const;

const HOUR = 3_600_000;

export interface PublicKeyEntry {
  der: Uint8Array;
  key?: KeyObject | null;
}

/**
 * CloudTrail's digest-signing public keys, per region: the window's keys are listed once per region
 * and shared by every chain of it; a key is parsed the first time a digest needs it.
 */
export class PublicKeyStore {
  private readonly standardByRegion = new Map<string, Promise<Map<string, PublicKeyEntry>>>();

  constructor(
    private readonly clients: AwsClients,
    private readonly start: Date,
    private readonly end: Date,
  ) {}

  /** Every key valid between `from` and `to` in `region`, by fingerprint. */
  async between(region: string, from: Date, to: Date): Promise<Map<string, PublicKeyEntry>> {
    const out = new Map<string, PublicKeyEntry>();
    let token: string | undefined;
    let pages = 0;
    do {
      let res;
      try {
        res = await this.clients.cloudtrail(region).send(new ListPublicKeysCommand({ StartTime: from, EndTime: to, NextToken: token }));
      } catch (e) {
        const c = classifyError(e);
        throw new CouldNotCheckError(`could not list CloudTrail public keys in ${region}: ${c.code}: ${c.message}`, 'cloudtrail:ListPublicKeys', c.code);
      }
      for (const k of res.PublicKeyList ?? []) {
        if (!k.Value) continue;
        const der = typeof k.Value === 'string' ? Buffer.from(k.Value, 'base64') : k.Value;
        out.set(k.Fingerprint ?? fingerprintOf(der), { der });
      }
      token = res.NextToken;
    } while (token && ++pages < 100);
    return out;
  }

  /** The keys of the window (to its end + 2 h) in `region`; none at all is could-not-check. */
  standard(region: string): Promise<Map<string, PublicKeyEntry>> {
    let p = this.standardByRegion.get(region);
    if (!p) {
      const start = this.start;
      const to = new Date(this.end.getTime() + 2 * HOUR);
      p = this.between(region, start, to).then((m) => {
        if (m.size === 0) throw new CouldNotCheckError(`No public keys found between ${isoSeconds(start)} and ${isoSeconds(to)} in ${region}`, 'cloudtrail:ListPublicKeys', 'NoPublicKeys');
        return m;
      });
      this.standardByRegion.set(region, p);
    }
    return p;
  }

  /** The parsed key (null when it does not load), parsed once. */
  static keyObject(e: PublicKeyEntry): KeyObject | null {
    if (e.key === undefined) e.key = loadPublicKey(e.der) ?? null;
    return e.key;
  }
}
