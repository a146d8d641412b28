import type { TraceReport } from './model.js';

/** One sentence: the answer to "where is my event?". Pure. */
export function summaryOf(r: TraceReport): string {
  const e = r.event;
  const what = e ? `${e.eventName} ${e.eventID} (${e.eventTime})` : 'the event';
  const found = r.destinations.filter((d) => d.found === 'yes').map((d) => (d.destination === 's3' ? `S3 (${d.key})` : `CloudWatch Logs (${d.logGroup}${d.logStream ? `/${d.logStream}` : ''})`));
  const ids = r.causes.map((c) => c.id).join(', ');
  switch (r.status) {
    case 'delivered':
      return `${what} was delivered: ${found.join(' and ')}`;
    case 'not-recorded':
      return `${what} is not recorded by trail ${r.trail.name}: ${ids}`;
    case 'pending':
      return `${what} is too recent to be delivered yet (delivery-delayed)${found.length ? `; already in ${found.join(' and ')}` : ''}`;
    case 'missing':
      return `${what} is missing from ${r.destinations.filter((d) => d.expected && d.found === 'no').map((d) => (d.destination === 's3' ? 'S3' : 'CloudWatch Logs')).join(' and ')}${ids ? `: ${ids}` : ': no cause found in what could be read'}${found.length ? `; found in ${found.join(' and ')}` : ''}`;
    case 'not-found':
      return `no event matched in event history or in the S3 log files of the asked time: check the event id, name, time and region`;
    case 'could-not-check':
      return `could not check ${what}: ${r.destinations.map((d) => d.reason).filter(Boolean).join('; ') || r.evidence[r.evidence.length - 1] || 'a read failed'}`;
  }
}
