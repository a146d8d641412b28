import { startMoto, useMotoCredentials, type Moto } from './moto.js';
import { startStandin, awsJsonError, type Override, type Standin } from './standin.js';
import { ensureBuilt } from './cli.js';

/**
 * The account the end-to-end tests diagnose: moto's server on a free 127.0.0.1 port, with the
 * stand-in in front of it answering what moto lacks. AWS Health answers as it does without a
 * Business support plan (the common reality) unless a test overrides it; everything else goes to
 * moto unless overridden. The built CLI is built first, and moto's fake credentials are in the
 * environment.
 */
export interface MotoAccount {
  moto: Moto;
  standin: Standin;
  stop(): Promise<void>;
}

export const noHealthPlan: Override = () => awsJsonError('SubscriptionRequiredException', 'The AWS Support plan does not include the AWS Health API');

export async function startMotoAccount(overrides: Record<string, Override> = {}): Promise<MotoAccount> {
  ensureBuilt();
  useMotoCredentials();
  const moto = await startMoto();
  let standin: Standin;
  try {
    standin = await startStandin({ upstream: moto.endpoint, overrides: { 'AWSHealth_20160804.DescribeEvents': noHealthPlan, ...overrides } });
  } catch (e) {
    await moto.stop();
    throw e;
  }
  return {
    moto,
    standin,
    stop: async () => {
      await standin.stop();
      await moto.stop();
    },
  };
}

/** GetTrailStatus as moto answers it, with `extra`'s fields merged in (moto never reports delivery errors). */
export function trailStatusWith(extra: Record<string, unknown>): Override {
  return async (_b, { forward }) => {
    const r = await forward();
    if (r.status !== 200) return { status: r.status, body: r.body };
    return { body: { ...(r.body as object), ...extra } };
  };
}
