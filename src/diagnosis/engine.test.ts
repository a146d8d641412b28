import { describe, expect, it } from 'vitest';
import { healthyEvidence } from '../evidence/builder.js';
import { ok } from '../evidence/probe.js';
import type { Evidence } from '../evidence/schema.js';
import type { Check, RootCauseId } from '../checks/types.js';
import { diagnose } from './index.js';
import { EXPLAINED_BY, PRECEDENCE, precedenceTier, runChecks, SILENCE_EXPLAINERS } from './engine.js';
import { DEFAULT_TRIGGER_EVENTS, STATE_CAUSES } from './correlate.js';

/** AccessDenied writing to S3, last delivery two hours ago. */
const accessDenied = (e: Evidence) => {
  const s = e.steps.s2.status.value!;
  s.latestDeliveryError = 'AccessDenied';
  s.latestDeliveryTime = '2026-11-24T02:00:00Z';
  const l = e.steps.s6.listing.value!;
  l.newest = { ...l.newest!, deliveryTime: '2026-11-24T02:00:00Z' };
};

describe('diagnosis tables derived from the registry', () => {
  it('the precedence is the runbook order it always was', () => {
    expect(PRECEDENCE).toEqual([
      ['trail-not-found', 'logging-stopped', 'cloudtrail-service-issue', 'event-selectors-exclude-events', 's3-delivery-error', 'cloudwatch-delivery-error'],
      ['cloudwatch-role-invalid', 'cloudwatch-log-group-missing'],
      ['s3-bucket-missing', 's3-bucket-policy-denies', 's3-kms-key-denies', 's3-requester-pays', 'organization-policy-denies'],
      ['delivery-stopped', 'delivery-gaps', 'cloudwatch-event-size-limit', 'delivery-delayed'],
      expect.arrayContaining(['logs-expired-by-retention', 'logs-expired-by-lifecycle', 'organization-trail-misconfigured', 'log-integrity-validation-failed', 'single-region-trail', 'global-service-events-excluded', 'cloudwatch-logs-not-configured', 'sns-notification-failing', 'log-file-validation-disabled', 'healthy']),
    ]);
    expect(PRECEDENCE[4]!.at(-1)).toBe('healthy');
  });

  it('catch-alls are explained by their residue group; the configuration causes explain silence', () => {
    expect(EXPLAINED_BY['s3-delivery-error']).toEqual(['s3-bucket-missing', 's3-bucket-policy-denies', 's3-kms-key-denies', 's3-requester-pays', 'organization-policy-denies', 'organization-trail-misconfigured']);
    expect(EXPLAINED_BY['cloudwatch-delivery-error']).toEqual(['cloudwatch-log-group-missing', 'cloudwatch-role-invalid', 'cloudwatch-event-size-limit']);
    expect(SILENCE_EXPLAINERS.has('s3-bucket-policy-denies')).toBe(true);
    expect(SILENCE_EXPLAINERS.has('delivery-stopped')).toBe(false);
    expect(STATE_CAUSES.has('logs-expired-by-retention')).toBe(true);
    expect(DEFAULT_TRIGGER_EVENTS['s3-requester-pays']).toEqual(['PutBucketRequestPayment']);
  });

  it('an id without a precedence tier fails loudly, naming where to declare it', () => {
    expect(() => precedenceTier('no-such-cause' as RootCauseId)).toThrow(/src\/checks\/no-such-cause\.ts.*precedence/);
  });

  it('a check returning an unregistered root-cause id is an internal error, never ranked below healthy', () => {
    const rogue: Check = { id: 'logging-stopped', title: 't', step: 2, severity: 'high', run: () => ({ findings: [{ id: 'made-up' as RootCauseId, confidence: 'confirmed', summary: 's', evidence: [], remediation: { summary: '', commands: [] } }], unverified: [] }) };
    const run = runChecks([rogue], healthyEvidence());
    expect(run.findings).toEqual([]);
    expect(run.unverified[0]!.what).toMatch(/check logging-stopped failed: .*unregistered root-cause id made-up/);
  });
});

describe('relations applied by the diagnosis', () => {
  it('organization-policy-denies is the residue of the bucket causes: Requester Pays drops it and its open question', () => {
    const alone = diagnose((() => {
      const e = healthyEvidence();
      accessDenied(e);
      return e;
    })());
    expect(alone.rootCauses.map((c) => c.id)).toContain('organization-policy-denies');
    expect(alone.unverified.map((u) => u.needs).join(' ')).toContain('organizations:ListPoliciesForTarget');

    const e = healthyEvidence();
    accessDenied(e);
    e.steps.s4.requestPayment = ok({ payer: 'Requester' });
    const r = diagnose(e);
    expect(r.rootCauses[0]!.id).toBe('s3-requester-pays');
    expect(r.rootCauses.map((c) => c.id)).not.toContain('organization-policy-denies');
    expect(r.rootCauses.map((c) => c.id)).not.toContain('s3-delivery-error');
    expect(r.unverified.map((u) => u.needs).join(' ')).not.toContain('organizations:');
  });

  it('a disabled key explains the denial instead of an organization policy', () => {
    const e = healthyEvidence();
    accessDenied(e);
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    e.steps.s1.trail.value!.kmsKeyId = arn;
    e.steps.s4.kmsKeySource = 'trail';
    e.steps.s4.kmsKey = ok({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', arn, keyState: 'Disabled', enabled: false, keyManager: 'CUSTOMER', accountId: '123456789012' });
    const ids = diagnose(e).rootCauses.map((c) => c.id);
    expect(ids[0]).toBe('s3-kms-key-denies');
    expect(ids).not.toContain('organization-policy-denies');
  });
});
