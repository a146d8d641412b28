/**
 * The evidence model's version (schema.ts). Compatibility: additive changes keep it; any change of
 * meaning bumps it. Apart from the schema, as the types are (see schema.ts).
 */
export const EVIDENCE_SCHEMA_VERSION = 1;
