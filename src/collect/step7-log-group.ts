import { DescribeLogGroupsCommand, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import type { Step7 } from '../evidence/schema.js';
import { send } from './chain.js';
import { defineCollector } from './types.js';
import { crossAccountProbe, logGroupTarget } from './step3-log-events.js';
import { compact, iso, probeFromError, skippedProbe, text } from './util.js';
import { STEP_TITLES } from './progress.js';

/**
 * Step 7: the trail's log group configuration: DescribeLogGroups by name prefix in the ARN's region,
 * exact name picked client-side (the prefix matches others too), paginated with a cap.
 */

const MAX_PAGES = 20;

export const step7 = defineCollector({
  name: 's7',
  step: 7,
  title: STEP_TITLES[7],
  needs: ['trail', 'caller'],
  apis: ['logs:DescribeLogGroups'],
  async run(clients, { trail, caller }): Promise<Step7> {
    const { target, skip, crossAccount } = logGroupTarget(trail.resolved, caller, trail.skipReason);
    const arn = trail.resolved?.config.cloudWatchLogsLogGroupArn;
    const base = { ...(arn ? { logGroupArn: arn } : {}), ...(target ? { logGroupName: target.name } : {}) };
    if (!target || skip) return { ...base, logGroup: skippedProbe(skip!) };
    if (crossAccount) return { ...base, logGroup: crossAccountProbe(`log group ${target.name}`, crossAccount, 'logs:DescribeLogGroups') };
    const logs = clients.logs(target.region);
    let found: LogGroup | undefined;
    let token: string | undefined;
    let pages = 0;
    try {
      do {
        const r = await send(logs, new DescribeLogGroupsCommand({ logGroupNamePrefix: target.name, nextToken: token, limit: 50 }));
        pages++;
        found = (r.logGroups ?? []).find((g) => g.logGroupName === target.name);
        token = r.nextToken;
      } while (!found && token && pages < MAX_PAGES);
    } catch (err) {
      return { ...base, logGroup: probeFromError(err, { needs: 'logs:DescribeLogGroups', absentCodes: ['ResourceNotFoundException'] }) };
    }
    if (!found) {
      const partial = token ? ` (stopped after ${pages} pages of names starting with it)` : '';
      return {
        ...base,
        logGroup: token
          ? { status: 'error', errorCode: 'Truncated', needs: 'logs:DescribeLogGroups', reason: `log group ${target.name} not found${partial}` }
          : { status: 'absent', errorCode: 'ResourceNotFoundException', reason: `log group ${target.name} does not exist in ${target.region}` },
      };
    }
    const groupArn = found.arn ?? (found.logGroupArn ? `${found.logGroupArn}:*` : undefined) ?? target.arn;
    return {
      ...base,
      logGroup: {
        status: 'ok',
        value: compact({
          name: text(found.logGroupName, 600) ?? target.name,
          arn: text(groupArn, 700) ?? target.arn,
          retentionInDays: found.retentionInDays,
          kmsKeyId: text(found.kmsKeyId, 400),
          creationTime: iso(found.creationTime),
          storedBytes: found.storedBytes,
        }),
      },
    };
  },
});

export const collectors = [step7] as const;
