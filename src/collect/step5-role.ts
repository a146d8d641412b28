import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type AttachedPolicy,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { Probe } from '../evidence/probe.js';
import type { NamedPolicy, Step5 } from '../evidence/schema.js';
import { all, mapLimit, send } from './chain.js';
import { defineCollector } from './types.js';
import { crossAccountProbe } from './step3-log-events.js';
import { decodePolicy, parseArn, probe, probeFromError, roleNameFromArn, skippedProbe, text } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 5: the CloudWatch Logs delivery role (only when the trail has CloudWatchLogsRoleArn): its trust
 * policy, inline policies and attached managed policies (default version), every list paginated.
 */

const NO_ENTITY = ['NoSuchEntity', 'NoSuchEntityException'];

async function listAll<T>(page: (marker?: string) => Promise<{ items: T[]; marker?: string; truncated?: boolean }>, max: number): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let marker: string | undefined;
  for (;;) {
    const r = await page(marker);
    items.push(...r.items);
    if (!r.truncated || !r.marker) return { items: items.slice(0, max), truncated: items.length > max };
    if (items.length >= max) return { items: items.slice(0, max), truncated: true };
    marker = r.marker;
  }
}

async function inlinePolicies(iam: IAMClient, roleName: string, max: number): Promise<Probe<NamedPolicy[]>> {
  let names: string[];
  try {
    names = (
      await listAll(async (Marker) => {
        const r = await send(iam, new ListRolePoliciesCommand({ RoleName: roleName, Marker }));
        return { items: r.PolicyNames ?? [], marker: r.Marker, truncated: r.IsTruncated };
      }, max)
    ).items;
  } catch (err) {
    return probeFromError(err, { needs: 'iam:ListRolePolicies', absentCodes: NO_ENTITY });
  }
  const docs = await mapLimit(names, 8, (name) =>
    probe(() => send(iam, new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })), (r) => decodePolicy(r.PolicyDocument), { needs: 'iam:GetRolePolicy' }),
  );
  const firstBad = docs.find((d) => d.status !== 'ok');
  const value = names.map((name, i) => {
    const d = docs[i];
    return { name: text(name, 200) ?? '', ...(d?.status === 'ok' && d.value !== undefined ? { document: d.value } : {}) };
  });
  // A policy we could list but not read leaves the role unverified: say so, keep what we saw.
  if (firstBad) return { ...firstBad, value } as Probe<NamedPolicy[]>;
  return { status: 'ok', value };
}

async function attachedPolicies(iam: IAMClient, roleName: string, max: number): Promise<Probe<NamedPolicy[]>> {
  let attached: AttachedPolicy[];
  try {
    attached = (
      await listAll(async (Marker) => {
        const r = await send(iam, new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }));
        return { items: r.AttachedPolicies ?? [], marker: r.Marker, truncated: r.IsTruncated };
      }, max)
    ).items;
  } catch (err) {
    return probeFromError(err, { needs: 'iam:ListAttachedRolePolicies', absentCodes: NO_ENTITY });
  }
  const docs = await mapLimit(attached, 8, async (p): Promise<Probe<string>> => {
    if (!p.PolicyArn) return skippedProbe('no policy ARN');
    const arn = p.PolicyArn;
    let version: string | undefined;
    try {
      version = (await send(iam, new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId;
    } catch (err) {
      return probeFromError(err, { needs: 'iam:GetPolicy', absentCodes: NO_ENTITY });
    }
    if (!version) return { status: 'error', reason: `policy ${arn} has no default version`, needs: 'iam:GetPolicy' };
    return probe(() => send(iam, new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version })), (r) => decodePolicy(r.PolicyVersion?.Document) ?? '', {
      needs: 'iam:GetPolicyVersion',
      absentCodes: NO_ENTITY,
    });
  });
  const firstBad = docs.find((d) => d.status !== 'ok' && d.status !== 'skipped');
  const value = attached.map((p, i) => {
    const d = docs[i];
    return { name: text(p.PolicyName, 200) ?? '', ...(p.PolicyArn ? { arn: text(p.PolicyArn, 400) } : {}), ...(d?.status === 'ok' && d.value !== undefined ? { document: d.value } : {}) } as NamedPolicy;
  });
  if (firstBad) return { ...firstBad, value } as Probe<NamedPolicy[]>;
  return { status: 'ok', value };
}

export const step5 = defineCollector({
  name: 's5',
  step: 5,
  title: STEP_TITLES[5],
  needs: ['trail', 'caller'],
  apis: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:GetPolicy', 'iam:GetPolicyVersion'],
  async run(clients, { trail, caller, ctx }): Promise<Step5> {
    const t = trail.resolved;
    const roleArn = t?.config.cloudWatchLogsRoleArn;
    if (!t || !roleArn) {
      const why = !t ? (trail.skipReason ?? 'trail not found') : t.config.cloudWatchLogsLogGroupArn ? 'the trail names a log group but no CloudWatch Logs role' : 'no CloudWatch Logs configured';
      return { ...(roleArn ? { roleArn } : {}), role: skippedProbe(why), inlinePolicies: skippedProbe(why), attachedPolicies: skippedProbe(why) };
    }
    const roleName = roleNameFromArn(roleArn);
    if (!roleName) {
      const why = `CloudWatchLogsRoleArn ${roleArn} is not a role ARN`;
      return { roleArn, role: { status: 'absent', reason: why }, inlinePolicies: skippedProbe(why), attachedPolicies: skippedProbe(why) };
    }
    const roleAccount = parseArn(roleArn)?.account;
    const me = caller.status === 'ok' ? caller.value?.accountId : undefined;
    if (me && roleAccount && roleAccount !== me) {
      return {
        roleArn,
        role: crossAccountProbe(`role ${roleName}`, roleAccount, 'iam:GetRole'),
        inlinePolicies: crossAccountProbe(`role ${roleName}`, roleAccount, 'iam:GetRolePolicy'),
        attachedPolicies: crossAccountProbe(`role ${roleName}`, roleAccount, 'iam:GetPolicyVersion'),
      };
    }
    const iam = clients.iam();
    const [role, inline, attached] = await all([
      () =>
        probe(
          () => send(iam, new GetRoleCommand({ RoleName: roleName })),
          (r) => ({ arn: text(r.Role?.Arn, 400) ?? roleArn, name: text(r.Role?.RoleName, 200) ?? roleName, trustPolicy: decodePolicy(r.Role?.AssumeRolePolicyDocument) ?? '' }),
          { needs: 'iam:GetRole', absentCodes: NO_ENTITY },
        ),
      () => inlinePolicies(iam, roleName, ctx.limits.maxPolicies),
      () => attachedPolicies(iam, roleName, ctx.limits.maxPolicies),
    ]);
    if (role.status === 'absent') {
      const why = `role ${roleName} does not exist`;
      return { roleArn, role, inlinePolicies: inline.status === 'ok' ? inline : skippedProbe(why), attachedPolicies: attached.status === 'ok' ? attached : skippedProbe(why) };
    }
    return { roleArn, role, inlinePolicies: inline, attachedPolicies: attached };
  },
});

export const collectors = [step5] as const;
