import { partitionOf } from '../aws/arn.js';
import { evaluatePolicies, evaluatePolicy } from '../policy/evaluate.js';
import { CLOUDTRAIL_SERVICE, logsRequests, parseLogGroupArn, roleTrustRequest } from '../policy/cloudtrail-requests.js';
import { arnAccount } from '../policy/match.js';
import type { NamedPolicy } from '../evidence/schema.js';
import type { CauseDefinition, Confidence, Unverified } from './types.js';
import { correctPolicy, explainDenied, refLabel, roleStatementsFor, trustStatement, trailTargetOf, verdictData, type RequestVerdict } from './remediation-policies.js';
import { callerAccount, homeRegion, result, safe, shellArg, statusOf, trailOf, trailRef, valueOf } from './util.js';

/**
 * Runbook step 5: the trail sends events to a CloudWatch Logs log group, and the role CloudTrail assumes
 * for it is missing, not assumable by cloudtrail.amazonaws.com, or its inline and attached policies do
 * not allow logs:CreateLogStream and logs:PutLogEvents on the trail's log stream.
 */
const ROLE_POLICY_NAME = 'CloudTrailPolicyForCloudWatchLogs';

export const check: CauseDefinition = {
  id: 'cloudwatch-role-invalid',
  title: 'CloudWatch Logs role does not let CloudTrail deliver',
  step: 5,
  severity: 'critical',
  precedence: { tier: 'cloudwatch-role', rank: 10 },
  relations: { explainsSilence: true },
  triggerEvents: ['PutRolePolicy', 'DeleteRolePolicy', 'DetachRolePolicy', 'AttachRolePolicy', 'UpdateAssumeRolePolicy', 'DeleteRole', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'PutRolePermissionsBoundary', 'UpdateTrail'],
  reads: ['s1.trail', 's1.caller', 's2.status', 's5.roleArn', 's5.role', 's5.inlinePolicies', 's5.attachedPolicies'],
  meaning: 'the delivery role is missing, its trust policy does not let CloudTrail assume it, or its policies do not allow `logs:CreateLogStream` and `logs:PutLogEvents` on the trail\'s stream',
  fix: 'Recreate the role or restore its trust policy (cloudtrail.amazonaws.com) and a policy allowing logs:CreateLogStream and logs:PutLogEvents on the trail\'s log stream.',
  run({ evidence: e, now }) {
    const trail = trailOf(e);
    const target = trailTargetOf(e, now);
    if (!trail || !target || !trail.cloudWatchLogsLogGroupArn) return result();
    const lgArn = trail.cloudWatchLogsLogGroupArn;
    const lg = parseLogGroupArn(lgArn);
    const logGroup = safe(lg?.name ?? lgArn, 300);
    const s5 = e.steps.s5;
    const roleArn = trail.cloudWatchLogsRoleArn ?? s5.roleArn;
    const status = statusOf(e);
    const cwlError = status?.latestCloudWatchLogsDeliveryError;
    const region = homeRegion(e);
    const evidence: string[] = [];
    if (cwlError) evidence.push(`step 2: LatestCloudWatchLogsDeliveryError = ${safe(cwlError, 300)}`);
    const base = {
      id: 'cloudwatch-role-invalid' as const,
      ...(cwlError && status?.latestCloudWatchLogsDeliveryTime ? { since: status.latestCloudWatchLogsDeliveryTime } : {}),
    };
    const trustDoc = { Version: '2012-10-17', Statement: [trustStatement()] };
    const permDoc = { Version: '2012-10-17', Statement: roleStatementsFor(target) };

    // ---- no role configured at all
    if (!roleArn) {
      const name = `CloudTrailRoleForCloudWatchLogs_${trail.name}`.slice(0, 64).replace(/[^\w+=,.@-]/g, '_');
      evidence.push(`step 2: the trail sends events to log group ${logGroup} but has no CloudWatchLogsRoleArn`);
      return result([
        {
          ...base,
          confidence: 'confirmed',
          summary: `Trail ${safe(trail.name)} is configured to send events to log group ${logGroup} without a CloudWatch Logs role: CloudTrail cannot write to it.`,
          evidence,
          remediation: {
            summary: `Create a role that ${CLOUDTRAIL_SERVICE} can assume, with a policy allowing logs:CreateLogStream and logs:PutLogEvents on the trail's stream (trust-policy.json and role-policy.json below), and attach it to the trail.`,
            commands: [
              `aws iam create-role --role-name ${shellArg(name)} --assume-role-policy-document file://trust-policy.json`,
              `aws iam put-role-policy --role-name ${shellArg(name)} --policy-name ${ROLE_POLICY_NAME} --policy-document file://role-policy.json`,
              `aws cloudtrail update-trail --name ${trailRef(e)} --region ${region} --cloud-watch-logs-log-group-arn ${shellArg(lgArn)} --cloud-watch-logs-role-arn arn:${partitionOf(target.trailArn)}:iam::${target.accountId}:role/${shellArg(name)}`,
            ],
            policy: permDoc,
          },
          resources: [logGroup, lgArn],
          data: { logGroup: lg?.name ?? lgArn, roleArn: null, problems: ['no-role'], policyFiles: { 'trust-policy.json': trustDoc, 'role-policy.json': permDoc } },
        },
      ]);
    }

    const roleName = roleArn.split('/').pop() ?? roleArn;
    const roleLabel = safe(roleName, 200);
    const r = shellArg(roleName);
    const caller = callerAccount(e);
    const roleAccount = arnAccount(roleArn);
    const other = roleAccount && caller && roleAccount !== caller ? ` (the role belongs to account ${roleAccount}, not ${caller})` : '';
    const unverified: Unverified[] = [];
    const unverify = (what: string, p: { needs?: string; reason?: string; errorCode?: string }, needs: string) => {
      const u: Unverified = { step: 5, what: `${what}${other}`, needs: p.needs ?? needs };
      const reason = p.reason ?? p.errorCode;
      if (reason) u.reason = safe(reason, 500);
      unverified.push(u);
    };
    const resources = [roleName, roleArn, logGroup, lgArn];

    // ---- the role itself
    const role = s5.role;
    if (role.status === 'absent') {
      evidence.push(`step 5: GetRole ${roleLabel}: ${safe(role.errorCode ?? 'NoSuchEntity', 60)}: the role does not exist`);
      return result([
        {
          ...base,
          confidence: 'confirmed',
          summary: `The CloudWatch Logs role ${roleLabel} of trail ${safe(trail.name)} does not exist: CloudTrail cannot deliver events to log group ${logGroup}.`,
          evidence,
          remediation: {
            summary: `Recreate role ${roleLabel} with the trust policy and role policy below (trust-policy.json, role-policy.json).`,
            commands: [
              `aws iam create-role --role-name ${r} --assume-role-policy-document file://trust-policy.json`,
              `aws iam put-role-policy --role-name ${r} --policy-name ${ROLE_POLICY_NAME} --policy-document file://role-policy.json`,
              `aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${region}`,
            ],
            policy: permDoc,
          },
          resources,
          data: { roleArn, logGroup: lg?.name ?? lgArn, problems: ['role-missing'], policyFiles: { 'trust-policy.json': trustDoc, 'role-policy.json': permDoc } },
        },
      ]);
    }
    if (role.status === 'skipped') return result();

    const problems: string[] = [];
    const keptFrom: string[] = [];
    const kinds: string[] = [];
    const commands: string[] = [];
    const policyFiles: Record<string, unknown> = {};
    let confidence: Confidence = 'confirmed';
    let data: Record<string, unknown> = { roleArn, logGroup: lg?.name ?? lgArn };

    if (role.status === 'denied' || role.status === 'error') {
      unverify(`trust policy of role ${roleLabel} (GetRole)`, role, 'iam:GetRole');
    } else if (role.value) {
      const req = roleTrustRequest(target)!;
      const v = evaluatePolicy(role.value.trustPolicy, req);
      data = { ...data, trust: verdictData([{ request: req, verdict: v }]) };
      if (v.decision !== 'allow') {
        kinds.push('trust');
        problems.push(`the trust policy of ${roleLabel} does not let ${CLOUDTRAIL_SERVICE} assume it${v.deniedBy.length ? ` (${v.deniedBy.map(refLabel).join(', ')} denies it)` : ''}`);
        evidence.push(...explainDenied(5, `trust policy of ${roleLabel}`, { request: req, verdict: v }));
        if (v.uncertain && !cwlError) confidence = 'likely';
        const corrected = correctPolicy(role.value.trustPolicy, v.allowedBy.length ? [] : [trustStatement()], v.deniedBy);
        keptFrom.push('trust policy');
        policyFiles['trust-policy.json'] = corrected.policy;
        commands.push(`aws iam update-assume-role-policy --role-name ${r} --policy-document file://trust-policy.json`);
      }
    }

    // ---- the role's permissions: inline and attached policies together
    const inline = s5.inlinePolicies;
    const attached = s5.attachedPolicies;
    const docs: { name: string; document: string; attached: boolean; arn?: string }[] = [];
    let partial = false;
    for (const [probe, isAttached, what, needs] of [
      [inline, false, `inline policies of role ${roleLabel}`, 'iam:ListRolePolicies, iam:GetRolePolicy'],
      [attached, true, `attached policies of role ${roleLabel}`, 'iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion'],
    ] as const) {
      if (probe.status === 'denied' || probe.status === 'error') {
        partial = true;
        unverify(what, probe, needs);
        continue;
      }
      // skipped: not looked at, so nothing can be concluded from its absence
      if (probe.status === 'skipped') {
        partial = true;
        continue;
      }
      for (const p of (valueOf(probe) ?? []) as NamedPolicy[]) {
        if (p.document === undefined) {
          partial = true;
          unverify(`document of policy ${safe(p.name, 200)} attached to role ${roleLabel}`, {}, isAttached ? 'iam:GetPolicy, iam:GetPolicyVersion' : 'iam:GetRolePolicy');
          continue;
        }
        docs.push({ name: p.name, document: p.document, attached: isAttached, ...(p.arn ? { arn: p.arn } : {}) });
      }
    }
    const requests = logsRequests(target);
    const verdicts: RequestVerdict[] = requests.map((req) => ({ request: req, verdict: evaluatePolicies(docs, req, { kind: 'identity' }) }));
    const failing = verdicts.filter((rv) => rv.verdict.decision !== 'allow');
    data = { ...data, permissions: verdictData(verdicts), policiesRead: docs.map((d) => d.name) };
    const explicit = failing.some((rv) => rv.verdict.decision === 'explicit-deny');
    if (failing.length && (!partial || explicit)) {
      kinds.push('permissions');
      const missing = [...new Set(failing.map((rv) => `${rv.request.action} on stream ${safe(rv.request.path ?? '', 200)}`))];
      const denies = [...new Map(failing.flatMap((rv) => rv.verdict.deniedBy).map((d) => [`${d.policy}#${d.index}`, d])).values()];
      const byStream = new Map<string, string[]>();
      for (const rv of failing) {
        const stream = safe(rv.request.path ?? '', 200);
        const list = byStream.get(stream) ?? [];
        if (!list.includes(rv.request.action)) list.push(rv.request.action);
        byStream.set(stream, list);
      }
      const grouped = [...byStream].map(([stream, actions]) => `${actions.join(' and ')} on stream ${stream}`).join(', ');
      problems.push(`the policies of ${roleLabel} do not allow ${grouped} in log group ${logGroup}${denies.length ? ` (${denies.map(refLabel).join(', ')} denies it)` : ''}`);
      for (const rv of failing) evidence.push(...explainDenied(5, `policies of role ${roleLabel}`, rv));
      if (failing.every((rv) => rv.verdict.uncertain) && !cwlError) confidence = 'likely';
      // correct the CloudTrail inline policy if there is one, else add ours; Denies in it are removed
      const own = docs.find((d) => !d.attached && d.name === ROLE_POLICY_NAME) ?? docs.find((d) => !d.attached && /cloudtrail/i.test(d.name));
      const policyName = own?.name ?? ROLE_POLICY_NAME;
      const ownDenies = denies.filter((d) => d.policy === policyName);
      const corrected = correctPolicy(own?.document, roleStatementsFor(target), ownDenies);
      if (own) keptFrom.push(`inline policy ${safe(own.name, 128)}`);
      policyFiles['role-policy.json'] = corrected.policy;
      commands.push(`aws iam put-role-policy --role-name ${r} --policy-name ${shellArg(policyName)} --policy-document file://role-policy.json`);
      for (const d of denies.filter((x) => x.policy !== policyName)) {
        const doc = docs.find((x) => x.name === d.policy);
        if (doc?.attached && doc.arn) commands.push(`aws iam detach-role-policy --role-name ${r} --policy-arn ${shellArg(doc.arn)}`);
      }
      data = { ...data, deniedBy: denies, missing };
    }

    if (!problems.length) return result([], unverified);
    evidence.splice(cwlError ? 1 : 0, 0, `step 5: role ${roleLabel} (${safe(roleArn, 300)}) is the trail's CloudWatch Logs role`);
    commands.push(`aws cloudtrail get-trail-status --name ${trailRef(e)} --region ${region}`);
    const mainPolicy = policyFiles['role-policy.json'] ?? policyFiles['trust-policy.json'];
    return result(
      [
        {
          ...base,
          confidence,
          summary: `CloudTrail cannot deliver events of trail ${safe(trail.name)} to log group ${logGroup}: ${problems.join('; ')}.`,
          evidence,
          remediation: {
            summary: `Apply ${Object.keys(policyFiles).join(' and ')} below to role ${roleLabel}${keptFrom.length ? ` (the existing statements of its ${keptFrom.join(' and ')} are kept; blocking Deny statements in them are removed)` : ''}.`,
            commands,
            policy: mainPolicy,
          },
          resources,
          data: { ...data, problems: kinds, policyFiles },
        },
      ],
      unverified,
    );
  },
};
