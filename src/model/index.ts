/**
 * The shared vocabulary every layer imports (collect → evidence → checks → diagnosis → report):
 * step numbers and titles, root-cause ids and their qualifiers, the report, exit codes. Types and
 * constants only; this folder imports nothing outside itself.
 */
export * from './steps.js';
export * from './root-causes.js';
export * from './report.js';
export * from './exit-codes.js';
