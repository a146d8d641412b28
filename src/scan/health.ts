import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import { runDiagnosis } from '../diagnosis/run.js';
import type { TrailConfig } from '../evidence/schema.js';
import type { Report } from '../model/index.js';
import { recordsManagementEvents, type CoverageTrail } from './coverage.js';
import { coverageTrailOf } from './discovery.js';
import type { ScanTrail } from './model.js';

/**
 * One trail's health: the very diagnosis `diagnose` runs, once, in the trail's home region. The
 * first pass by default (the nine steps, no gap fallback, no digest validation); deep adds both.
 * Its evidence also says whether the trail counts as coverage (IsLogging, selectors), so nothing
 * is read twice. The evidence is dropped here unless written to the evidence directory.
 */
export interface TrailHealthOptions {
  window: { start: Date; end: Date };
  now: Date;
  deep: boolean;
  evidenceDir?: string;
}

export interface TrailHealth {
  trail: ScanTrail;
  coverage: CoverageTrail;
  /** The full report, kept only when the trail is not healthy. */
  report?: Report;
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 150);

export async function trailHealth(clients: AwsClients, accountId: string, t: TrailConfig, opts: TrailHealthOptions): Promise<TrailHealth> {
  const { evidence, report } = await runDiagnosis(
    clients,
    { trail: t.arn, region: t.homeRegion, window: opts.window, now: opts.now },
    { integrity: opts.deep, gaps: opts.deep ? 'auto' : 'never' },
  );
  if (opts.evidenceDir) {
    await mkdir(opts.evidenceDir, { recursive: true });
    await writeFile(join(opts.evidenceDir, `${accountId}_${t.homeRegion}_${fileSafe(t.name)}.json`), JSON.stringify(evidence, null, 2) + '\n');
  }
  const status = evidence.steps.s2.status;
  const selectors = evidence.steps.s2.selectors;
  const isLogging = status.status === 'ok' ? status.value?.isLogging : undefined;
  const mgmt = recordsManagementEvents(selectors);
  const unknown = [status, selectors].filter((p) => p.status !== 'ok').map((p) => `${p.errorCode ?? p.status}${p.needs ? `: needs ${p.needs}` : ''}`);
  const coverage = coverageTrailOf(t, { isLogging, recordsManagementEvents: mgmt, ...(unknown.length ? { unknownReason: unknown.join(', ') } : {}) });
  const trail: ScanTrail = {
    arn: t.arn,
    name: t.name,
    homeRegion: t.homeRegion,
    isOrganizationTrail: t.isOrganizationTrail,
    isMultiRegionTrail: t.isMultiRegionTrail,
    ...(isLogging !== undefined ? { isLogging } : {}),
    ...(isLogging !== undefined && mgmt !== undefined ? { recordsManagementEvents: isLogging && mgmt } : {}),
    verdict: report.verdict,
    rootCauses: report.rootCauses.filter((c) => c.id !== 'healthy').map((c) => ({ id: c.id, confidence: c.confidence, summary: c.summary, ...(c.trigger ? { trigger: c.trigger } : {}) })),
  };
  return { trail, coverage, ...(report.verdict !== 'healthy' ? { report } : {}) };
}
