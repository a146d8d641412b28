import type pLimit from 'p-limit';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ObjectReader } from '../aws/object-reader.js';
import { isoSeconds } from './keys.js';
import type { Hasher } from './hash-pool.js';
import type { PublicKeyStore } from './public-keys.js';
import type { ValidationTarget } from './target.js';
import type { ChainSummary, Counts, FileResult, Notice, ValidateOptions, ValidationResult, ValidationSummary } from './model.js';

const MAX_PROBLEMS = 10_000;

const emptyCounts = (): Counts => ({ valid: 0, invalid: 0, missing: 0 });

/** What a validation run has found so far: counts, chains, notices, problems, and the result they make. */
export class ValidationState {
  readonly summary: ValidationSummary = { digests: emptyCounts(), logs: { ...emptyCounts(), unlisted: 0 }, backfillDigests: emptyCounts(), linkMismatches: 0 };
  readonly chains: ChainSummary[] = [];
  readonly notices: Notice[] = [];
  readonly problems: FileResult[] = [];
  problemsTruncated = false;
  readonly files: FileResult[] | undefined;
  foundStart: number | undefined;
  foundEnd: number | undefined;
  bytesHashed = 0;
  anyDigestListed = false;

  constructor(private readonly opts: ValidateOptions) {
    this.files = opts.verbose ? [] : undefined;
  }

  /** Who else wants the log files' bodies (ValidateOptions.onLogFile). */
  get onLogFile(): ValidateOptions['onLogFile'] {
    return this.opts.onLogFile;
  }

  readonly record = (f: FileResult): void => {
    if (f.verdict !== 'valid') {
      if (this.problems.length < MAX_PROBLEMS) this.problems.push(f);
      else this.problemsTruncated = true;
    }
    this.files?.push(f);
    this.opts.onFile?.(f);
  };

  readonly notice = (n: Notice): void => {
    this.notices.push(n);
    this.opts.onNotice?.(n);
  };

  result(status: ValidationResult['status'], trail: Partial<ValidationTarget>, stats: { durationMs: number; apiCalls: number }, error?: ValidationResult['error']): ValidationResult {
    const { summary, notices, opts } = this;
    const bad =
      summary.digests.invalid + summary.digests.missing + summary.logs.invalid + summary.logs.missing + summary.logs.unlisted + summary.linkMismatches +
      notices.filter((n) => n.problem).length;
    return {
      status,
      trailArn: trail.arn ?? opts.trail,
      bucket: trail.bucket ?? opts.s3Bucket ?? '',
      prefix: trail.prefix ?? opts.s3Prefix ?? '',
      window: { start: isoSeconds(opts.start), end: isoSeconds(opts.end) },
      ...(this.foundStart !== undefined && this.foundEnd !== undefined ? { found: { start: isoSeconds(new Date(this.foundStart)), end: isoSeconds(new Date(this.foundEnd)) } } : {}),
      summary,
      chains: this.chains,
      notices,
      ...(this.files ? { files: this.files } : {}),
      problems: this.problems,
      problemsTruncated: this.problemsTruncated,
      ...(error ? { error } : {}),
      exitCode: status === 'ok' ? (bad > 0 ? 1 : 0) : 3,
      stats: { ...stats, bytesHashed: this.bytesHashed },
    };
  }
}

/** Everything a chain walk shares with the others of the run. */
export interface ValidationRun {
  start: Date;
  end: Date;
  now: Date;
  concurrency: number;
  limits: NonNullable<ValidateOptions['limits']>;
  trail: ValidationTarget;
  s3: S3Client;
  objects: S3ObjectReader;
  hasher: Hasher;
  /** Log-file fetches and hashes in flight (also the other trails' digests of the unlisted check). */
  logLimit: ReturnType<typeof pLimit>;
  /** Digest fetches ahead of the walk, and listings. */
  digestLimit: ReturnType<typeof pLimit>;
  keys: PublicKeyStore;
  state: ValidationState;
}
