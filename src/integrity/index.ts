export { validateTrail, CouldNotCheckError, ValidateInputError } from './validate.js';
export { collectIntegrity, toIntegrityEvidence, validationTrail, type IntegrityInput } from './collect.js';
export { VALIDATE_ACTIONS } from './actions.js';
export { MAX_EVIDENCE_PROBLEMS } from './model.js';
export type {
  ValidateOptions,
  ValidationResult,
  ValidationSummary,
  FileResult,
  FileKind,
  FileVerdict,
  Notice,
  ChainSummary,
  IntegrityEvidence,
} from './model.js';
