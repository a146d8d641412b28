/**
 * The evidence model's version (schema.ts). Compatibility: additive changes keep it; any change of
 * meaning bumps it. Apart from the schema so that writing evidence does not load the validation
 * library.
 */
export const EVIDENCE_SCHEMA_VERSION = 1;
