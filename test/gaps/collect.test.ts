import { afterEach, describe, expect, it } from 'vitest';
import { GetTrailCommand, GetEventSelectorsCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { collectGaps } from '../../src/gaps/index.js';
import { gapReportSchema } from '../../src/evidence/gaps-schema.js';
import { healthyEvidence, BUCKET } from '../../src/evidence/builder.js';
import { recordToChangeEvent } from '../../src/evidence/events.js';
import { change, deliver, fakeAws, routine, type Fake, type Rec } from './fixtures.js';

const H = 3_600_000;
const now = new Date('2026-11-24T04:00:00Z');
const T0 = now.getTime() - 7 * 24 * H;

let fake: Fake | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

describe('collectGaps (the diagnosis fallback) reuses the evidence', () => {
  it('takes the trail, selectors and change events from evidence; finds the gap and its trigger without fetching them again', async () => {
    const evidence = healthyEvidence({ now });
    const base = routine(T0, now.getTime(), 6);
    const breaker = change(T0 + 30 * H - 120_000, 's3.amazonaws.com', 'PutBucketPolicy', { bucketName: BUCKET });
    const broken = (r: Rec) => Date.parse(r.eventTime) >= T0 + 30 * H && Date.parse(r.eventTime) < T0 + 34 * H;
    const history = [...base, breaker];
    // step 9 already holds the change (from the log group), so no LookupEvents by resource name is needed
    evidence.steps.s9.changes = [recordToChangeEvent(breaker, 'log-group')!];
    fake = fakeAws({ history, files: deliver(history.filter((r) => !broken(r))), cwl: history });
    const r = await collectGaps(fake.clients, evidence);
    expect(gapReportSchema.safeParse(r).success).toBe(true);
    expect(r.window).toEqual(evidence.window);
    expect(fake.ct.commandCalls(GetTrailCommand)).toHaveLength(0);
    expect(fake.ct.commandCalls(GetEventSelectorsCommand)).toHaveLength(0);
    const lookups = fake.ct.commandCalls(LookupEventsCommand).map((c) => (c.args[0] as LookupEventsCommand).input);
    expect(lookups.some((i) => i.LookupAttributes?.[0]?.AttributeKey === 'ResourceName')).toBe(false);
    const s3 = r.gaps.filter((g) => g.destination === 's3');
    expect(s3).toHaveLength(1);
    expect(s3[0]!.eventsMissing).toBe(history.filter(broken).length);
    expect(s3[0]!.trigger).toMatchObject({ eventName: 'PutBucketPolicy', source: 'log-group' });
    // a multi-region trail including global events: IAM events are looked for in us-east-1, by source
    expect(lookups.some((i) => i.LookupAttributes?.[0]?.AttributeValue === 'iam.amazonaws.com')).toBe(true);
  });
});
