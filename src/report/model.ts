/**
 * The report's types live in the shared model (src/model/report.ts), so the diagnosis that builds a
 * report and the renderers here read one definition; re-exported for the renderers.
 */
export { REPORT_SCHEMA_VERSION, EXIT_CODES, exitCodeFor } from '../model/index.js';
export type { DiagnosisVerdict, ExitCode, Report, RootCause, StepReport, StepStatus, Timeline, TimelinePoint } from '../model/index.js';
