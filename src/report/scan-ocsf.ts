import { createHash } from 'node:crypto';
import { CHECKS } from '../checks/index.js';
import type { Severity } from '../checks/types.js';
import type { ScanFinding, ScanResult } from '../scan/model.js';
import { ACCOUNT_UNREACHABLE } from '../scan/model.js';
import { inertLine, inertText } from '../util/text.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/**
 * `scan --format ocsf`: one OCSF Detection Finding (class 2004, category 2 Findings, activity
 * 1 Create) per problem, as JSON lines, for Amazon Security Lake or any OCSF 1.x consumer. The
 * field mapping is documented in README ("OCSF mapping").
 */
export const OCSF_VERSION = '1.3.0';
export const DETECTION_FINDING = { class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401 } as const;

const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<number, string> = { 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical' };
const CONFIDENCE: Record<string, [number, string]> = { confirmed: [3, 'High'], likely: [2, 'Medium'], possible: [1, 'Low'] };

/** Stable across runs, so a consumer updates one finding instead of piling up copies. */
export function findingUid(f: ScanFinding): string {
  return createHash('sha256').update([f.accountId, f.region ?? '', f.trailArn ?? '', f.id].join('|')).digest('hex').slice(0, 32);
}

export function ocsfFinding(f: ScanFinding, generatedAt: string): Record<string, unknown> {
  const check = CHECKS.find((c) => c.id === f.id);
  const severity: Severity = f.id === ACCOUNT_UNREACHABLE ? 'medium' : check?.severity ?? 'medium';
  const severityId = SEVERITY_ID[severity];
  const [confidenceId, confidence] = CONFIDENCE[f.confidence] ?? [0, 'Unknown'];
  const time = Date.parse(generatedAt);
  const title = f.id === ACCOUNT_UNREACHABLE ? 'Account could not be scanned' : check?.title ?? f.id;
  const resources: Record<string, unknown>[] = [
    f.trailArn
      ? { type: 'AWS::CloudTrail::Trail', uid: f.trailArn, name: f.trailArn.split(':trail/')[1], region: f.region, cloud_partition: f.trailArn.split(':')[1] }
      : { type: 'AWS::::Account', uid: f.accountId, ...(f.region ? { region: f.region } : {}) },
  ];
  const remediation = f.remediation
    ? { desc: inertText([f.remediation.summary, ...f.remediation.commands].join('\n'), 8_000) }
    : undefined;
  return {
    activity_id: DETECTION_FINDING.activity_id,
    activity_name: 'Create',
    category_uid: DETECTION_FINDING.category_uid,
    category_name: 'Findings',
    class_uid: DETECTION_FINDING.class_uid,
    class_name: 'Detection Finding',
    type_uid: DETECTION_FINDING.type_uid,
    type_name: 'Detection Finding: Create',
    time,
    severity_id: severityId,
    severity: SEVERITY_NAME[severityId],
    status_id: 1,
    status: 'New',
    confidence_id: confidenceId,
    confidence,
    is_alert: true,
    message: inertLine(f.summary, 2_000),
    metadata: {
      version: OCSF_VERSION,
      product: { name: TOOL_NAME, vendor_name: TOOL_NAME, version: TOOL_VERSION },
      profiles: ['cloud'],
    },
    finding_info: {
      uid: findingUid(f),
      title,
      desc: inertLine(f.summary, 2_000),
      types: [f.id],
      analytic: { uid: f.id, name: f.id, type_id: 1, type: 'Rule' },
      created_time: time,
    },
    cloud: { provider: 'AWS', ...(f.region ? { region: f.region } : {}), account: { uid: f.accountId, type_id: 10, type: 'AWS Account' } },
    resources,
    ...(f.evidence?.length ? { evidences: [{ data: { chain: f.evidence.slice(0, 20).map((e) => inertLine(e, 600)) } }] } : {}),
    ...(remediation ? { remediation } : {}),
    unmapped: { confidence_label: f.confidence, ...(f.trailArn ? { trail_arn: f.trailArn } : {}) },
  };
}

export function renderScanOcsf(r: ScanResult): string {
  return r.findings.map((f) => JSON.stringify(ocsfFinding(f, r.generatedAt))).join('\n') + (r.findings.length ? '\n' : '');
}
