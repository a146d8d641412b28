import type { AwsClients } from '../aws/clients.js';
import type { CollectRequest } from '../collect/index.js';
import { runDiagnosis, type DiagnosisOptions, type DiagnosisPhase, type Diagnosed } from '../diagnosis/run.js';
import { progressLine } from '../report/gaps-text.js';

export interface GatherOptions extends Omit<DiagnosisOptions, 'onPhase'> {
  /** Told what runs after the nine steps, as a line for the live display; undefined when it is done. */
  onPhase?: (text: string | undefined) => void;
}

export type Gathered = Diagnosed;

const GAPS_LABEL = 'Measuring the audit gap against CloudTrail event history';

/** The display line of a phase. */
function phaseLine(p: DiagnosisPhase): string {
  // The first pass's verdict shows at once: validation and the fallback can take a while.
  const first = p.firstPass ? `First pass: ${p.firstPass.verdict === 'healthy' ? 'no cause found' : p.firstPass.causes > 0 ? `${p.firstPass.verdict}, ${p.firstPass.causes} cause${p.firstPass.causes === 1 ? '' : 's'}` : `${p.firstPass.verdict}, no confirmed cause`} · ` : '';
  if (p.phase === 'integrity') return `${first}Validating log file integrity (digest chain)`;
  const label = `${first}${GAPS_LABEL}`;
  return p.progress ? `${label} — ${progressLine(p.progress)}` : label;
}

/** `diagnose` and `collect`: the diagnosis run (src/diagnosis/run.ts), its phases shown as text. */
export function gather(clients: AwsClients, req: CollectRequest, opts: GatherOptions): Promise<Gathered> {
  const { onPhase, ...rest } = opts;
  return runDiagnosis(clients, req, { ...rest, ...(onPhase ? { onPhase: (p) => onPhase(p ? phaseLine(p) : undefined) } : {}) });
}
