import { fleetStandin } from './fleet-standin.js';
import { assumeRoleAccess } from '../../src/scan/fleet-calls.js';
import { runScan } from '../../src/scan/engine.js';
import { renderScanJson } from '../../src/report/scan-json.js';

/**
 * bench/scan: `scan --organization` over ACCOUNTS member accounts × 4 regions, every call answered
 * by an in-process stand-in after LATENCY_MS (see README.md). Prints wall time, calls, peak RSS.
 *   npm run bench:scan            # 200 accounts, 25 ms, concurrency 16
 *   ACCOUNTS=1000 CONCURRENCY=32 npm run bench:scan
 */
const members = Number(process.env.ACCOUNTS ?? 200);
const latencyMs = Number(process.env.LATENCY_MS ?? 25);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const regions = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2'];
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const window = { start: new Date(now.getTime() - 86_400_000), end: now };

const fleet = fleetStandin({ members, regions, latencyMs, now, window });
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const t0 = performance.now();
const result = await runScan({
  access: assumeRoleAccess(fleet.caller, fleet.makeClients, { roleName: 'OrganizationAccountAccessRole' }),
  organization: true,
  roleName: 'OrganizationAccountAccessRole',
  regions: 'enabled',
  concurrency,
  window,
  now,
  deep: false,
});
const wallMs = performance.now() - t0;
const json = renderScanJson(result);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
const cpu = process.cpuUsage();
const mb = (b: number) => `${(b / 1_048_576).toFixed(0)} MB`;
console.log(
  JSON.stringify(
    {
      accounts: result.summary.accounts,
      regions: regions.length,
      latencyMs,
      concurrency,
      wallSeconds: Number((wallMs / 1000).toFixed(2)),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      calls: fleet.calls(),
      callsPerAccount: Number((fleet.calls() / result.summary.accounts).toFixed(1)),
      maxCallsInFlight: fleet.maxInFlight(),
      maxAccountsInFlight: fleet.maxAccountsInFlight(),
      peakRss: mb(peakRss),
      jsonBytes: json.length,
      summary: result.summary,
    },
    null,
    2,
  ),
);
