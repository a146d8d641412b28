import { describe, expect, it } from 'vitest';
import { actionForCall, COLLECT_ACTIONS } from '../../src/collect/permissions.js';
import { GAPS_ACTIONS } from '../../src/gaps/actions.js';
import { TRACE_ACTIONS } from '../../src/trace/actions.js';
import { VALIDATE_ACTIONS } from '../../src/integrity/actions.js';
import { toolPolicy } from '../../src/cli/tool-policy.js';
import { scanPolicies } from '../../src/scan/policy.js';
import { isTest, readSource, sourceFiles } from './source.js';

/**
 * The printed IAM policy against the code's own call sites: every `new XCommand(` sent by a
 * collector, the gap engine or the validator, and every object read of the lean S3 reader, must be
 * an action the policy grants, and the list its module declares.
 */

/** The IAM prefix of each SDK client package. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  'client-cloudtrail': 'cloudtrail',
  'client-s3': 's3',
  'client-cloudwatch-logs': 'logs',
  'client-cloudwatch': 'cloudwatch',
  'client-iam': 'iam',
  'client-kms': 'kms',
  'client-sts': 'sts',
  'client-health': 'health',
  'client-organizations': 'organizations',
  'client-sns': 'sns',
  'client-ec2': 'ec2',
};

/** The IAM actions a source file's code calls: commands constructed, and lean object reads. */
export function actionsCalled(source: string): string[] {
  // local name → `service:Operation`, aliases included
  const callOf = new Map<string, string>();
  // static imports, and `const { X } = await import('@aws-sdk/client-…')` of lazily loaded clients
  const imports = [
    ...source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([a-z0-9-]+)'/g),
    ...source.matchAll(/const\s*\{([^}]*)\}\s*=\s*await\s+import\(\s*'@aws-sdk\/([a-z0-9-]+)'\s*\)/g),
  ];
  for (const m of imports) {
    const service = SERVICE_OF_PACKAGE[m[2]!];
    if (!service) continue;
    for (const raw of m[1]!.split(',')) {
      const [name, local] = raw.trim().replace(/^type\s+/, '').split(/\s+as\s+/).map((x) => x.trim());
      if (name?.endsWith('Command')) callOf.set(local ?? name, `${service}:${name.slice(0, -'Command'.length)}`);
    }
  }
  const out = new Set<string>();
  for (const m of source.matchAll(/new\s+([A-Z][A-Za-z0-9]*)\s*\(/g)) {
    const call = callOf.get(m[1]!);
    if (call) out.add(actionForCall(call));
    else if (m[1]!.endsWith('Command')) throw new Error(`${m[1]} is constructed but not imported from an @aws-sdk client package`);
  }
  // S3 GETs of the lean object reader (src/aws/object-reader.ts) carry no Command.
  if (/\bobjects\.get\(/.test(source)) out.add('s3:GetObject');
  return [...out].sort();
}

/** Call sites whose action is not in `granted`: one line per miss, naming the action and the file. */
export function missingActions(files: readonly { file: string; source: string }[], granted: readonly string[], what: string): string[] {
  const have = new Set(granted);
  const out: string[] = [];
  for (const { file, source } of files) for (const a of actionsCalled(source)) if (!have.has(a)) out.push(`src/${file} calls ${a}, which ${what} lacks`);
  return out;
}

const filesUnder = (dir: string) => sourceFiles().filter((f) => f.startsWith(`${dir}/`) && !isTest(f)).map((file) => ({ file, source: readSource(file) }));
const printed = (toolPolicy() as { Statement: { Action: string[] }[] }).Statement.flatMap((s) => s.Action);

describe('the printed IAM policy is derived from the calls the code makes', () => {
  it('every action a collector, the gap engine, the validator or an AWS helper calls is in the printed policy', () => {
    const files = ['collect', 'gaps', 'integrity', 'trace', 'aws'].flatMap(filesUnder);
    expect(files.length).toBeGreaterThan(20);
    expect(missingActions(files, printed, 'the printed policy (trail-doctor policy)')).toEqual([]);
  });

  it('every action the fleet scan calls is in the policies `policy --scan` prints', () => {
    const p = scanPolicies();
    const granted = [p.ManagementAccount, p.MemberAccountRole].flatMap((doc) => (doc as { Statement: { Action: string | string[] }[] }).Statement.flatMap((st) => st.Action));
    expect(missingActions(filesUnder('scan'), granted.flat(), 'the scan policies (trail-doctor policy --scan)')).toEqual([]);
  });

  it('each engine declares, next to its calls, every action its files call', () => {
    expect(missingActions(filesUnder('collect'), COLLECT_ACTIONS, "the collectors' declared apis")).toEqual([]);
    expect(missingActions(filesUnder('gaps'), GAPS_ACTIONS, 'GAPS_ACTIONS')).toEqual([]);
    expect(missingActions(filesUnder('integrity'), VALIDATE_ACTIONS, 'VALIDATE_ACTIONS')).toEqual([]);
    expect(missingActions(filesUnder('trace'), TRACE_ACTIONS, 'TRACE_ACTIONS')).toEqual([]);
    expect(filesUnder('trace').flatMap((f) => actionsCalled(f.source))).toEqual(expect.arrayContaining(['logs:FilterLogEvents', 's3:ListBucket']));
  });

  it('the scanner sees what the engines call (so the parity above can fail)', () => {
    const validate = filesUnder('integrity').flatMap((f) => actionsCalled(f.source));
    expect(validate).toEqual(expect.arrayContaining(['cloudtrail:ListPublicKeys', 's3:ListBucket', 's3:GetObject']));
    const gaps = [...filesUnder('gaps'), ...filesUnder('aws')].flatMap((f) => actionsCalled(f.source));
    expect(gaps).toEqual(expect.arrayContaining(['cloudtrail:LookupEvents', 'logs:FilterLogEvents', 's3:ListBucket', 's3:GetObject']));
  });

  it('names the missing action and the file that calls it', () => {
    const source = "import { ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';\nimport { HeadBucketCommand as Head } from '@aws-sdk/client-s3';\nawait ct.send(new ListPublicKeysCommand({}));\nawait s3.send(new Head({}));";
    expect(actionsCalled(source)).toEqual(['cloudtrail:ListPublicKeys', 's3:ListBucket']);
    expect(missingActions([{ file: 'integrity/example.ts', source }], ['cloudtrail:GetTrail'], 'the printed policy')).toEqual([
      'src/integrity/example.ts calls cloudtrail:ListPublicKeys, which the printed policy lacks',
      'src/integrity/example.ts calls s3:ListBucket, which the printed policy lacks',
    ]);
  });
});
