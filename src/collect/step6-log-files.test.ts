import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetTrailCommand } from '@aws-sdk/client-cloudtrail';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsError, fakeAws, healthyTrail, logKey, runFakePlan, ACCOUNT, REGION } from '../../test/support/aws-fakes.js';
import { LogFileAggregate, logRoot, parseLogFileKey } from './step6-log-files.js';

const fake = fakeAws();
afterAll(() => fake.restore());
beforeEach(() => fake.install());

const DAY = `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/23/`;
const name = (stamp: string, u = 'Mu0KsOhtH1ar15ZZ') => `${DAY}${ACCOUNT}_CloudTrail_${REGION}_${stamp}_${u}.json.gz`;

describe('step 6: log file keys', () => {
  it('parses the delivery time from the key name, strictly', () => {
    expect(parseLogFileKey(name('20261123T0210Z'), DAY, ACCOUNT, REGION)).toBe(Date.parse('2026-11-23T02:10:00Z'));
    // the documented typo without "_" before the unique string is tolerated
    expect(parseLogFileKey(`${DAY}${ACCOUNT}_CloudTrail_${REGION}_20261123T0210ZHdkvFTXOA3Vnhbc.json.gz`, DAY, ACCOUNT, REGION)).toBe(Date.parse('2026-11-23T02:10:00Z'));
    for (const bad of [
      name('20261124T0210Z'), // another day than its folder
      name('20261123T2460Z'),
      name('20261123T0210Z', 'short'),
      `${DAY}${ACCOUNT}_CloudTrail-Digest_${REGION}_main_${REGION}_20261123T021000Z.json.gz`,
      `${DAY}111122223333_CloudTrail_${REGION}_20261123T0210Z_Mu0KsOhtH1ar15ZZ.json.gz`,
      `${DAY}${ACCOUNT}_CloudTrail_us-east-1_20261123T0210Z_Mu0KsOhtH1ar15ZZ.json.gz`,
      `${DAY}sub/${ACCOUNT}_CloudTrail_${REGION}_20261123T0210Z_Mu0KsOhtH1ar15ZZ.json.gz`,
      name('20261123T0210Z').replace('.json.gz', '.json'),
    ]) {
      expect(parseLogFileKey(bad, DAY, ACCOUNT, REGION), bad).toBeUndefined();
    }
    expect(parseLogFileKey(name('20260231T0000Z').replace('/11/23/', '/02/31/'), DAY.replace('/11/23/', '/02/31/'), ACCOUNT, REGION)).toBeUndefined();
  });

  it('builds the key root for prefixes and organization trails', () => {
    expect(logRoot({ account: ACCOUNT, region: REGION })).toBe(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/`);
    expect(logRoot({ prefix: 'team/logs/', orgId: 'o-abcdefghij', account: ACCOUNT, region: REGION })).toBe(`team/logs/AWSLogs/o-abcdefghij/${ACCOUNT}/CloudTrail/${REGION}/`);
  });

  it('aggregates: counts, bytes, newest/oldest, the last 10, gaps over 30 minutes, LastModified mismatches', () => {
    const w = { start: new Date('2026-11-23T00:00:00Z'), end: new Date('2026-11-23T06:00:00Z') };
    const agg = new LogFileAggregate(w);
    const t = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00Z`);
    const times = ['00:05', '00:10', '00:15', '01:00', '01:05', '01:05', '03:00', '03:05', '03:10', '03:15', '03:20', '03:25'];
    times.forEach((x, i) => agg.add(`k${String(i).padStart(2, '0')}`, t(x), 100, new Date(t(x) + (i === 3 ? 2 * 3_600_000 : 30_000))));
    agg.add('outside', Date.parse('2026-11-22T10:00:00Z'), 100);
    const r = agg.result(false, [REGION]);
    expect(r.fileCount).toBe(12);
    expect(r.totalBytes).toBe(1200);
    expect(r.newest?.key).toBe('k11');
    expect(r.oldest).toMatchObject({ key: 'k00', deliveryTime: '2026-11-23T00:05:00Z', size: 100 });
    expect(r.recent.map((f) => f.key)).toEqual(['k11', 'k10', 'k09', 'k08', 'k07', 'k06', 'k05', 'k04', 'k03', 'k02']);
    expect(r.gaps).toEqual([
      { start: '2026-11-23T00:15:00Z', end: '2026-11-23T01:00:00Z', minutes: 45 },
      { start: '2026-11-23T01:05:00Z', end: '2026-11-23T03:00:00Z', minutes: 115 },
    ]);
    expect(r.lastModifiedMismatches).toBe(1);
    expect(r.hourly).toHaveLength(7);
    expect(r.hourly[1]).toEqual({ hour: '2026-11-23T01:00:00Z', count: 3, bytes: 300 });
    expect(r.hourly[2]).toEqual({ hour: '2026-11-23T02:00:00Z', count: 0, bytes: 0 });
  });
});

describe('step 6: listing the bucket', () => {
  it('lists one prefix per day of the window, never the whole bucket', async () => {
    const { outputs } = await runFakePlan(fake);
    const s6 = outputs.s6;
    expect(s6.prefixes).toHaveLength(8);
    expect(s6.prefixes[0]).toBe(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/17/`);
    const prefixes = fake.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix);
    expect(prefixes.sort()).toEqual([...s6.prefixes].sort());
    expect(s6.listing.value).toMatchObject({ fileCount: 7 * 24 * 12, truncated: false, gaps: [], regions: [REGION], lastModifiedMismatches: 0 });
    expect(s6.listing.value?.newest?.deliveryTime).toBe('2026-11-24T03:55:00Z');
    expect(s6.organizationId).toEqual({ status: 'skipped', reason: 'not an organization trail' });
  });

  it('paginates with the continuation token', async () => {
    const t = Date.parse('2026-11-23T10:00:00Z');
    fake.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string; ContinuationToken?: string }) => {
      if (!input.Prefix.endsWith('/2026/11/23/')) return { Contents: [] };
      if (!input.ContinuationToken) return { Contents: [{ Key: logKey(t, 1), Size: 10 }], IsTruncated: true, NextContinuationToken: 'next' };
      return { Contents: [{ Key: logKey(t + 300_000, 2), Size: 20 }, { Key: `${input.Prefix}junk.txt`, Size: 1 }], IsTruncated: false };
    });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s6.listing.value).toMatchObject({ fileCount: 2, totalBytes: 30 });
    expect(fake.s3.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.ContinuationToken === 'next')).toHaveLength(1);
  });

  it('caps the keys processed and says truncated', async () => {
    const { outputs } = await runFakePlan(fake, { limits: { maxKeys: 100 } });
    expect(outputs.s6.listing.value).toMatchObject({ truncated: true });
    expect(outputs.s6.listing.value!.fileCount).toBeLessThanOrEqual(100);
    expect(outputs.s6.listing.reason).toMatch(/stopped after 100 keys/);
  });

  it('S3KeyPrefix is part of every path', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ S3KeyPrefix: 'team' }) });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s6.prefixes.every((p) => p.startsWith(`team/AWSLogs/${ACCOUNT}/CloudTrail/`))).toBe(true);
  });

  it('a trail of this account is listed under the account its ARN names, without waiting for the identity check', async () => {
    const order: string[] = [];
    fake.sts.on(GetCallerIdentityCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 150));
      order.push('identity answered');
      return { Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/oncall` };
    });
    fake.s3.on(ListObjectsV2Command).callsFake(async () => {
      order.push('listed');
      return { Contents: [] };
    });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s6.prefixes[0]).toBe(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/17/`);
    expect(order.indexOf('listed')).toBeLessThan(order.indexOf('identity answered'));
  });

  it('organization trail: AWSLogs/<o-id>/<member account>/ with the org id from DescribeOrganization', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ IsOrganizationTrail: true }) });
    fake.org.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-abcdefghij' } });
    fake.sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/m' });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s6.organizationId).toEqual({ status: 'ok', value: 'o-abcdefghij' });
    expect(outputs.s6.prefixes[0]).toBe(`AWSLogs/o-abcdefghij/111122223333/CloudTrail/${REGION}/2026/11/17/`);
  });

  it('organization trail without DescribeOrganization: the org id is found under AWSLogs/', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ IsOrganizationTrail: true }) });
    fake.org.on(DescribeOrganizationCommand).rejects(awsError('AccessDeniedException'));
    fake.s3.on(ListObjectsV2Command, { Delimiter: '/' }).resolves({ CommonPrefixes: [{ Prefix: `AWSLogs/${ACCOUNT}/` }, { Prefix: 'AWSLogs/o-zyxwvutsrq/' }] });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s6.organizationId).toMatchObject({ status: 'denied', needs: 'organizations:DescribeOrganization' });
    expect(outputs.s6.prefixes[0]).toBe(`AWSLogs/o-zyxwvutsrq/${ACCOUNT}/CloudTrail/${REGION}/2026/11/17/`);
  });

  it('organization trail whose org id cannot be learned: error naming the permission', async () => {
    fake.ct.on(GetTrailCommand).resolves({ Trail: healthyTrail({ IsOrganizationTrail: true }) });
    fake.s3.on(ListObjectsV2Command, { Delimiter: '/' }).resolves({ CommonPrefixes: [] });
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s6.listing).toMatchObject({ status: 'error', needs: 'organizations:DescribeOrganization' });
  });

  it('AccessDenied on every prefix: denied with s3:ListBucket', async () => {
    fake.s3.on(ListObjectsV2Command).rejects(awsError('AccessDenied', 403));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s6.listing).toMatchObject({ status: 'denied', needs: 's3:ListBucket' });
  });

  it('one day throttled: the rest is kept, truncated, with the reason', async () => {
    fake.s3.on(ListObjectsV2Command, { Prefix: `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/20/` }).rejects(awsError('SlowDown', 503));
    const { outputs } = await runFakePlan(fake);
    expect(outputs.s6.listing.status).toBe('ok');
    expect(outputs.s6.listing.value?.truncated).toBe(true);
    expect(outputs.s6.listing.reason).toMatch(/1 of 8 day prefixes could not be listed/);
    expect(outputs.s6.listing.value?.fileCount).toBe(7 * 24 * 12 - 288);
  });
});
