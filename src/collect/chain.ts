import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Call accounting for the collection plan: which collector sent which call, and how deep the chain of
 * calls that waited on each other is. Every AWS call a collector makes goes through `send` (or is
 * reported with `recordCalls` when a shared helper sends it), inside the async context the plan set
 * up for that collector. Sequential awaits in one branch deepen the chain; `all` / `mapLimit` run
 * their branches from the same starting depth and join at the deepest one, so concurrency is
 * measured as concurrency, not as a sequence.
 */
export interface CallAudit {
  /** Collector (plan node) that sent the call. */
  node: string;
  /** IAM-style `service:Operation` of the API call, e.g. `s3:HeadBucket`. */
  call: string;
  /** Position in its chain: 1 for a call that waited on no other call. */
  depth: number;
}

interface Store {
  node: string;
  depth: number;
  audit?: CallAudit[];
}

const als = new AsyncLocalStorage<Store>();

/** SDK `serviceId` → IAM service prefix. */
const SERVICE_PREFIX: Record<string, string> = {
  CloudTrail: 'cloudtrail',
  S3: 's3',
  'CloudWatch Logs': 'logs',
  CloudWatch: 'cloudwatch',
  KMS: 'kms',
  STS: 'sts',
  IAM: 'iam',
  Health: 'health',
  Organizations: 'organizations',
};

type AnyCommand<I, O> = { input: I; resolveMiddleware(stack: any, cfg: any, opts: any): (args: any) => Promise<{ output: O }> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Sends one command through `client`, accounting for it. Typed like `client.send(cmd)`. */
export async function send<I extends object, O>(
  client: { send(command: any, ...rest: any[]): Promise<any>; config?: { serviceId?: string } }, // eslint-disable-line @typescript-eslint/no-explicit-any
  cmd: AnyCommand<I, O>,
): Promise<O> {
  const service = SERVICE_PREFIX[client.config?.serviceId ?? ''] ?? String(client.config?.serviceId ?? 'unknown').toLowerCase();
  const op = (cmd as { constructor: { name: string } }).constructor.name.replace(/Command$/, '');
  return tracked(`${service}:${op}`, () => client.send(cmd) as Promise<O>);
}

/** Runs one call (already built by the caller) with accounting. */
export async function tracked<T>(call: string, fn: () => Promise<T>): Promise<T> {
  const store = als.getStore();
  const start = store?.depth ?? 0;
  store?.audit?.push({ node: store.node, call, depth: start + 1 });
  try {
    return await fn();
  } finally {
    if (store) store.depth = Math.max(store.depth, start + 1);
  }
}

/**
 * For helpers that send calls themselves (src/aws/lookup-events.ts): records `count` sequential calls
 * of `call` ending now.
 */
export function recordCalls(call: string, count: number, startDepth?: number): void {
  const store = als.getStore();
  if (!store || count <= 0) return;
  const start = startDepth ?? store.depth;
  for (let i = 1; i <= count; i++) store.audit?.push({ node: store.node, call, depth: start + i });
  store.depth = Math.max(store.depth, start + count);
}

/** The chain depth reached so far in the current branch (0 outside the plan). */
export const currentDepth = (): number => als.getStore()?.depth ?? 0;

/** Runs `fn` as a branch starting at the current depth; the caller's depth joins at the branch's end depth. */
export async function branch<T>(fn: () => Promise<T>, startDepth?: number): Promise<T> {
  const parent = als.getStore();
  if (!parent) return fn();
  const child: Store = { node: parent.node, depth: startDepth ?? parent.depth, audit: parent.audit };
  try {
    return await als.run(child, fn);
  } finally {
    parent.depth = Math.max(parent.depth, child.depth);
  }
}

/** Promise.all over independent branches (each starts at the same depth). */
export function all<T extends readonly unknown[] | []>(fns: { [K in keyof T]: () => Promise<T[K]> }): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const start = currentDepth();
  return Promise.all((fns as readonly (() => Promise<unknown>)[]).map((f) => branch(f, start))) as Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }>;
}

/**
 * Bounded concurrency over independent items. Waiting for a free slot is not a data dependency, so
 * every item's branch starts at the depth the map started at.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const start = currentDepth();
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await branch(() => fn(items[i] as T, i), start);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

/** Awaits another node's result inside a collector: the collector's chain continues after that node's. */
export async function joined<T>(result: Promise<{ value: T; depth: number }>): Promise<T> {
  const r = await result;
  const store = als.getStore();
  if (store) store.depth = Math.max(store.depth, r.depth);
  return r.value;
}

/** Runs a plan node: its chain starts after the deepest of its inputs. Returns the node's result and end depth. */
export async function runNode<T>(node: string, startDepth: number, audit: CallAudit[] | undefined, fn: () => Promise<T>): Promise<{ value: T; depth: number }> {
  const store: Store = { node, depth: startDepth, audit };
  const value = await als.run(store, fn);
  return { value, depth: store.depth };
}
