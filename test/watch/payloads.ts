/** As Alertmanager 0.25 posts it (version 4), one group of alerts. */
export function webhook(alerts: { status: 'firing' | 'resolved'; labels: Record<string, string> }[], status: 'firing' | 'resolved' = 'firing') {
  return {
    receiver: 'trail-doctor',
    status,
    alerts: alerts.map((a, i) => ({
      status: a.status,
      labels: a.labels,
      annotations: { summary: 'CloudTrail events are missing' },
      startsAt: '2026-11-24T12:00:00Z',
      endsAt: a.status === 'resolved' ? '2026-11-24T12:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph',
      fingerprint: `f${i}`,
    })),
    groupLabels: { alertname: 'CloudTrailEventsMissing' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    version: '4',
    groupKey: '{}:{alertname="CloudTrailEventsMissing"}',
    truncatedAlerts: 0,
  };
}
