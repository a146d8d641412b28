import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTrailClient, LookupEventsCommand, CreateTrailCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { startMoto, skipWithoutMoto, useMotoCredentials, type Moto } from './moto.js';
import { startStandin, awsJsonError, type Standin } from './standin.js';

const skip = skipWithoutMoto('test harness (moto + stand-in)');

describe.skipIf(skip)('moto behind the stand-in proxy', () => {
  let moto: Moto;
  let standin: Standin;
  beforeAll(async () => {
    useMotoCredentials();
    moto = await startMoto();
    standin = await startStandin({
      upstream: moto.endpoint,
      overrides: {
        'CloudTrail_20131101.LookupEvents': () => ({ body: { Events: [{ EventId: 'e1', EventName: 'StopLogging', EventTime: 1764000000 }] } }),
        'CloudTrail_20131101.ListPublicKeys': () => awsJsonError('ThrottlingException', 'Rate exceeded'),
      },
    });
  });
  afterAll(async () => {
    await standin?.stop();
    await moto?.stop();
  });

  it('forwards to moto and answers overridden operations itself', async () => {
    const cfg = { region: 'us-east-1', endpoint: standin.endpoint, maxAttempts: 1 };
    const s3 = new S3Client({ ...cfg, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'harness-bucket' }));
    const ct = new CloudTrailClient(cfg);
    await ct.send(new CreateTrailCommand({ Name: 'harness', S3BucketName: 'harness-bucket' }));
    const status = await ct.send(new GetTrailStatusCommand({ Name: 'harness' }));
    expect(status.IsLogging).toBe(false);
    const ev = await ct.send(new LookupEventsCommand({}));
    expect(ev.Events?.[0]?.EventName).toBe('StopLogging');
    expect(ev.Events?.[0]?.EventTime).toBeInstanceOf(Date);
    expect(standin.counts.get('CloudTrail_20131101.LookupEvents')).toBe(1);
  });

  it('relays error replies as named SDK exceptions', async () => {
    const { ListPublicKeysCommand } = await import('@aws-sdk/client-cloudtrail');
    const ct = new CloudTrailClient({ region: 'us-east-1', endpoint: standin.endpoint, maxAttempts: 1 });
    await expect(ct.send(new ListPublicKeysCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
