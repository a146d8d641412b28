import type { CauseDefinition } from './types.js';
import { editDistance, parseArn, result, safe, shellArg, targetRegion, unverifiedOf, valueOf } from './util.js';

/**
 * Runbook step 1: the trail does not exist under that name or ARN in that region.
 * Suggests close names ("did you mean"), trails seen as shadows of another home region, and the
 * full-ARN form an organization trail needs when looked at from a member account.
 */
export const check: CauseDefinition = {
  id: 'trail-not-found',
  title: 'Trail not found',
  step: 1,
  severity: 'critical',
  precedence: { tier: 'trail', rank: 10 },
  relations: { explainsSilence: true },
  triggerEvents: ['DeleteTrail'],
  reads: ['s1.trail', 's1.trailsInRegion'],
  meaning: 'no trail with that name or ARN in the region, nor as a shadow of a multi-region trail ("did you mean" from the trails visible)',
  fix: 'Use the trail name or ARN the "did you mean" line names, or recreate the trail (create-trail, start-logging).',
  run({ evidence: e }) {
    const s1 = e.steps.s1;
    const trailProbe = s1.trail;
    if (trailProbe.status === 'denied' || trailProbe.status === 'error') {
      return result([], [unverifiedOf(trailProbe, 1, `trail ${safe(e.target.trail)} (GetTrail)`, 'cloudtrail:GetTrail')]);
    }
    if (trailProbe.status !== 'absent') return result();

    const asked = e.target.trail;
    const askedArn = parseArn(asked);
    const askedName = askedArn ? askedArn.resource.replace(/^trail\//, '') : asked;
    const region = targetRegion(e);
    const listed = valueOf(s1.trailsInRegion) ?? [];
    const lower = askedName.toLowerCase();
    const scored = listed
      .map((tr) => ({ tr, d: editDistance(lower, tr.name.toLowerCase()) }))
      .filter(({ tr, d }) => d <= Math.max(2, Math.floor(askedName.length / 3)) || tr.name.toLowerCase().includes(lower) || lower.includes(tr.name.toLowerCase()))
      .sort((a, b) => a.d - b.d || a.tr.name.localeCompare(b.tr.name))
      .slice(0, 5)
      .map(({ tr }) => tr);
    const sameName = listed.filter((tr) => tr.name === askedName);

    const evidence = [`step 1: GetTrail for ${safe(asked)} in ${region}: ${safe(trailProbe.errorCode ?? 'TrailNotFoundException')}`];
    if (s1.trailsInRegion.status === 'ok') {
      evidence.push(
        listed.length
          ? `step 1: DescribeTrails (with shadow trails) in ${region} lists ${listed.length}: ${listed.slice(0, 10).map((tr) => safe(tr.name, 128)).join(', ')}${listed.length > 10 ? ', …' : ''}`
          : `step 1: DescribeTrails in ${region} lists no trail at all`,
      );
    }
    const notes: string[] = [];
    for (const tr of sameName) {
      if (tr.arn !== asked) notes.push(`a trail named ${safe(tr.name, 128)} exists as ${safe(tr.arn)}${tr.homeRegion && tr.homeRegion !== region ? ` (home region ${safe(tr.homeRegion, 40)}): use its full ARN` : ''}`);
    }
    if (!askedArn) {
      notes.push('an organization trail seen from a member account, or a trail of another account, must be named by its full ARN (arn:aws:cloudtrail:<home-region>:<account>:trail/<name>)');
    }
    if (askedArn && askedArn.region && askedArn.region !== region) {
      notes.push(`the ARN names home region ${safe(askedArn.region, 40)}; a single-region trail is visible only there`);
    }

    const suggestions = scored.map((tr) => tr.arn);
    const commands = [`aws cloudtrail describe-trails --include-shadow-trails --region ${region}`];
    for (const arn of suggestions.slice(0, 3)) commands.push(`aws cloudtrail get-trail-status --name ${shellArg(arn)} --region ${region}`);
    if (!listed.length && s1.trailsInRegion.status === 'ok') {
      commands.push(
        `aws cloudtrail create-trail --name ${shellArg(askedName)} --s3-bucket-name BUCKET --is-multi-region-trail --enable-log-file-validation --region ${region}`,
        `aws cloudtrail start-logging --name ${shellArg(askedName)} --region ${region}`,
      );
    }

    const label = (tr: { name: string; homeRegion?: string }) =>
      `${safe(tr.name, 128)}${tr.homeRegion && tr.homeRegion !== region ? ` (shadow of a trail in ${safe(tr.homeRegion, 40)})` : ''}`;
    const didYouMean = scored.length ? ` Did you mean ${scored.map(label).join(', ')}?` : '';
    return result(
      [
        {
          id: 'trail-not-found',
          confidence: 'confirmed',
          summary: `No trail ${safe(asked)} is visible in ${region}.${didYouMean}`,
          evidence: [...evidence, ...notes.map((n) => `step 1: ${n}`)],
          remediation: {
            summary: scored.length
              ? `Check the trail name: ${scored.map((tr) => safe(tr.name, 128)).join(', ')} exist${scored.length === 1 ? 's' : ''} in ${region}. Name shadow and organization trails by their full ARN.`
              : listed.length
                ? `Use one of the trails listed by describe-trails, by its full ARN if its home region or account differs.`
                : `No trail exists in ${region}: create one (multi-region, with log file validation) and start logging.`,
            commands,
          },
          resources: [askedName, asked],
          data: { asked, region, suggestions, trailsInRegion: listed.map((tr) => tr.arn).slice(0, 50), notes },
        },
      ],
      [unverifiedOf(s1.trailsInRegion, 1, `trails visible in ${region} (DescribeTrails)`, 'cloudtrail:DescribeTrails')],
    );
  },
};
