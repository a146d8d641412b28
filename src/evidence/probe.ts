/**
 * The outcome of one attempt to observe something in the account.
 * "Could not verify" is a value, never an exception: checks read `status` and, when it is not
 * `ok`, report what they could not see and which IAM action would have shown it (`needs`).
 */
export const PROBE_STATUSES = ['ok', 'absent', 'denied', 'error', 'skipped'] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

export interface Probe<T> {
  status: ProbeStatus;
  /** Present when status is `ok` (and, for some probes, `absent` with partial data). */
  value?: T;
  /** Why it is not `ok`: the service's error code and message, or why the step was skipped. */
  reason?: string;
  /** The service error code, e.g. `AccessDenied`, `NoSuchBucket`, `ThrottlingException`. */
  errorCode?: string;
  /** IAM action(s) that would let trail-doctor make this observation, e.g. `s3:GetBucketPolicy`. */
  needs?: string;
  /** The call that failed, as its IAM action (for any failure, not only a refusal). */
  call?: string;
  /**
   * True when the source is optional: its absence must not make a verdict inconclusive
   * (AWS Health without a support plan, metrics with no datapoints, ...).
   */
  optional?: boolean;
  /**
   * Set on an `ok` probe that another source answered because the first one failed (GetTrail →
   * DescribeTrails, Logs Insights → FilterLogEvents): the failure stays visible, as optional.
   */
  substitute?: Substitute;
}

export interface Substitute {
  /** The call that failed, as an IAM action. */
  failed: string;
  /** What happened to it. */
  reason: string;
  /** The source that answered instead. */
  answeredBy: string;
}

export const ok = <T>(value: T, extra: Partial<Probe<T>> = {}): Probe<T> => ({ status: 'ok', value, ...extra });
export const absent = <T>(reason: string, extra: Partial<Probe<T>> = {}): Probe<T> => ({ status: 'absent', reason, ...extra });
export const skipped = <T>(reason: string, extra: Partial<Probe<T>> = {}): Probe<T> => ({ status: 'skipped', reason, ...extra });
export const denied = <T>(needs: string, reason: string, extra: Partial<Probe<T>> = {}): Probe<T> => ({
  status: 'denied',
  needs,
  reason,
  ...extra,
});
export const failed = <T>(reason: string, extra: Partial<Probe<T>> = {}): Probe<T> => ({ status: 'error', reason, ...extra });

export const isOk = <T>(p: Probe<T> | undefined): p is Probe<T> & { status: 'ok'; value: T } =>
  !!p && p.status === 'ok' && p.value !== undefined;

/** denied or error: something the diagnosis wanted but could not see. */
export const isUnverified = (p: Probe<unknown> | undefined): boolean => !!p && (p.status === 'denied' || p.status === 'error');
