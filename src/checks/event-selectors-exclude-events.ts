import type { CauseDefinition } from './types.js';
import { selectorCoverage } from './selectors.js';
import { changesNamed, describeChange, homeRegion, result, safe, touches, trailOf, trailRef, unverifiedOf, valueOf } from './util.js';

/**
 * Runbook step 2: the events the user misses are never selected. Judges the UNION of all
 * selectors, basic or advanced. Confirmed when the trail selects nothing at all (it delivers
 * nothing); `possible` when only some events are excluded (a filter, not a delivery fault).
 */
export const check: CauseDefinition = {
  id: 'event-selectors-exclude-events',
  title: 'Event selectors exclude events',
  step: 2,
  severity: 'high',
  precedence: { tier: 'trail', rank: 40 },
  relations: { explainsSilence: true },
  triggerEvents: ['PutEventSelectors', 'CreateTrail'],
  reads: ['s1.trail', 's2.selectors'],
  meaning: 'the union of all selectors (basic or advanced) never selects the events: management events off, read/write filtered, sources excluded',
  fix: 'Add the missing events to the selectors (put-event-selectors): management events on, ReadWriteType All, data events for the resources you need.',
  run({ evidence: e }) {
    const trail = trailOf(e);
    if (!trail) return result();
    const probe = e.steps.s2.selectors;
    const selectors = valueOf(probe);
    if (!selectors) return result([], [unverifiedOf(probe, 2, `event selectors of trail ${safe(trail.name)}`, 'cloudtrail:GetEventSelectors')]);
    const cov = selectorCoverage(selectors);
    const m = cov.management;
    const fullManagement = m.read && m.write && !m.excludedSources.length && !m.partial;
    if (fullManagement && !cov.selectsNothing) return result();

    const notSelected = cov.notSelected;
    const evidence = [`step 2: GetEventSelectors (${cov.form === 'advanced' ? 'advanced selectors' : cov.form === 'basic' ? 'basic selectors' : 'default'}), union of all selectors: ${notSelected.map((n) => safe(n, 300)).join('; ')} not selected`];
    if (cov.data.selected) evidence.push(`step 2: data events selected: ${cov.data.resourceTypes.map((x) => safe(x, 100)).join(', ')}`);
    const names = [trail.name, trail.arn];
    const changes = changesNamed(e, ['PutEventSelectors']).filter((c) => touches(c, names) || !c.resources?.length);
    const last = changes[changes.length - 1];
    if (last) evidence.push(describeChange(last));

    const region = homeRegion(e);
    const kept = m.excludedSources.length ? `,"ExcludeManagementEventSources":[]` : '';
    const fixBasic = `aws cloudtrail put-event-selectors --trail-name ${trailRef(e)} --region ${region} --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true${kept}}]'`;
    const fixAdvanced = `aws cloudtrail put-event-selectors --trail-name ${trailRef(e)} --region ${region} --advanced-event-selectors '[{"Name":"All management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]'`;
    const commands = [`aws cloudtrail get-event-selectors --trail-name ${trailRef(e)} --region ${region}`, cov.form === 'advanced' ? fixAdvanced : fixBasic];

    const summary = cov.selectsNothing
      ? `Trail ${safe(trail.name)} selects no events at all (no management, data or other events): it records and delivers nothing.`
      : `Trail ${safe(trail.name)} does not select ${notSelected.filter((n) => !n.startsWith('data events (none')).map((n) => safe(n, 200)).join('; ')}: those events are never delivered.`;
    return result([
      {
        id: 'event-selectors-exclude-events',
        confidence: cov.selectsNothing ? 'confirmed' : 'possible',
        summary,
        evidence,
        remediation: {
          summary:
            cov.form === 'advanced'
              ? 'Add an advanced selector for the events you need (keep your existing selectors in the same call: put-event-selectors replaces them all).'
              : 'Select all management events (read and write, no excluded sources), keeping any data resources you need in the same call: put-event-selectors replaces all selectors.',
          commands,
        },
        resources: names,
        data: {
          notSelected,
          management: m,
          data: cov.data,
          otherCategories: cov.otherCategories,
          selectsNothing: cov.selectsNothing,
          form: cov.form,
        },
      },
    ]);
  },
};
