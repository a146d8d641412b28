import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { ListAccountsCommand, DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { send } from '../collect/chain.js';
import { sharedProvider, type AwsClients, type ClientOptions } from '../aws/clients.js';

/**
 * What a fleet scan needs beyond one account's clients: entering member accounts through an
 * assumed role, the account list of an organization, and an account's enabled regions.
 * Clients are still made only here and in clients.ts (the factory is passed in, so tests inject fakes).
 */

/** Opens one account: the caller's clients for its own account, assumed-role clients for any other. */
export interface AccountAccess {
  readonly caller: AwsClients;
  /** Resolves to clients acting in `accountId`; rejects when the account cannot be entered. */
  enter(accountId: string, partition: string): Promise<AwsClients>;
}

export interface AssumeRoleAccessOptions {
  roleName: string;
  externalId?: string;
  /** Names the session in the member accounts' CloudTrail (who scanned). */
  sessionName?: string;
  /** Seconds; an account's scan takes seconds, so one hour never expires mid-scan. */
  durationSeconds?: number;
}

export function assumeRoleAccess(
  caller: AwsClients,
  makeClients: (opts: ClientOptions) => AwsClients | Promise<AwsClients>,
  opts: AssumeRoleAccessOptions,
): AccountAccess {
  return {
    caller,
    async enter(accountId, partition) {
      const roleArn = `arn:${partition}:iam::${accountId}:role/${opts.roleName}`;
      const assume = async () => {
        const r = await send(
          caller.sts(),
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: opts.sessionName ?? 'trail-doctor-scan',
            DurationSeconds: opts.durationSeconds ?? 3600,
            ...(opts.externalId ? { ExternalId: opts.externalId } : {}),
          }),
        );
        const c = r.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw Object.assign(new Error(`AssumeRole ${roleArn} returned no credentials`), { name: 'NoCredentials' });
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
      };
      // Entering fails here, not at the first call, when the role cannot be assumed.
      let current = await assume();
      let assumedAt = Date.now();
      const { profile: _profile, ...base } = caller.options;
      return makeClients({
        ...base,
        // One provider shared by the account's clients. The role's session lasts DurationSeconds: a
        // scan of one account finishes well inside it, and a long-running watch assumes the role
        // again shortly before it expires (sharedProvider refreshes expiring credentials).
        credentials: sharedProvider(async () => {
          // Asked again only as the session nears its end; at most once a minute, so that a clock
          // ahead of STS's (credentials that look expired at once) never assumes on every call.
          if (Date.now() - assumedAt >= 60_000) {
            current = await assume();
            assumedAt = Date.now();
          }
          return current;
        }),
      });
    },
  };
}

export interface OrgAccount {
  id: string;
  name?: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE (ListAccounts Status, or the newer State). */
  status: string;
}

/** Every account of the organization, active or not (the caller filters): ListAccounts, all pages. */
export async function listOrganizationAccounts(clients: AwsClients): Promise<OrgAccount[]> {
  const out: OrgAccount[] = [];
  let token: string | undefined;
  do {
    const r = await send(clients.organizations(), new ListAccountsCommand({ NextToken: token }));
    for (const a of r.Accounts ?? []) {
      if (!a.Id) continue;
      const state = (a as { State?: string }).State;
      out.push({ id: a.Id, ...(a.Name ? { name: a.Name } : {}), status: String(state ?? a.Status ?? 'ACTIVE').toUpperCase() });
    }
    token = r.NextToken;
  } while (token);
  return out;
}

export async function describeOrganization(clients: AwsClients): Promise<{ id?: string; managementAccountId?: string }> {
  const r = await send(clients.organizations(), new DescribeOrganizationCommand({}));
  return { id: r.Organization?.Id, managementAccountId: r.Organization?.MasterAccountId };
}

/**
 * The account's enabled regions: EC2 DescribeRegions without AllRegions lists the regions enabled
 * for the account (opt-in regions only once opted in), which are exactly the regions a
 * multi-region trail records.
 */
export async function enabledRegions(clients: AwsClients): Promise<string[]> {
  if (!clients.ec2) throw Object.assign(new Error('no EC2 client to list regions'), { name: 'NoEc2Client' });
  const r = await send(await clients.ec2(), new DescribeRegionsCommand({}));
  return (r.Regions ?? [])
    .filter((x) => x.RegionName && (x.OptInStatus === undefined || x.OptInStatus !== 'not-opted-in'))
    .map((x) => x.RegionName!)
    .sort();
}

/** IAM actions these calls need, for `policy --scan`. */
export const FLEET_MANAGEMENT_ACTIONS = ['organizations:DescribeOrganization', 'organizations:ListAccounts', 'sts:AssumeRole'] as const;
export const FLEET_ACCOUNT_ACTIONS = ['ec2:DescribeRegions', 'cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'] as const;
