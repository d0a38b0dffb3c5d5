// HTTP API, metrics: counters and latency histograms kept in memory and written in the Prometheus
// text exposition format (version 0.0.4) for `/metrics`.

const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Histogram {
  readonly labels: string;
  readonly counts: number[];
  sum: number;
  count: number;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`,
  );
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** The process's metrics: HTTP requests, latency, failed authentications, plus gauges read at scrape time. */
export class MetricsRegistry {
  private readonly requests = new Map<string, number>();
  private readonly requestKeys = new Map<string, Map<number, string>>();
  private readonly latency = new Map<string, Histogram>();
  private readonly authFailures = new Map<string, number>();
  private readonly gauges: { name: string; help: string; type: "counter" | "gauge"; read: () => number }[] =
    [];

  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    // Label texts are built once per (method, route, status): this runs on every request.
    const routeKey = `${method} ${route}`;
    let byStatus = this.requestKeys.get(routeKey);
    if (!byStatus) {
      byStatus = new Map();
      this.requestKeys.set(routeKey, byStatus);
    }
    let key = byStatus.get(status);
    if (key === undefined) {
      key = labelText({ method, route, status: String(status) });
      byStatus.set(status, key);
    }
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let histogram = this.latency.get(routeKey);
    if (!histogram) {
      histogram = {
        labels: labelText({ method, route }),
        counts: LATENCY_BUCKETS_SECONDS.map(() => 0),
        sum: 0,
        count: 0,
      };
      this.latency.set(routeKey, histogram);
    }
    // Buckets are stored non-cumulative and summed at exposition time.
    let i = 0;
    while (i < LATENCY_BUCKETS_SECONDS.length && seconds > (LATENCY_BUCKETS_SECONDS[i] ?? 0)) i++;
    if (i < histogram.counts.length) histogram.counts[i] = (histogram.counts[i] ?? 0) + 1;
    histogram.sum += seconds;
    histogram.count++;
  }

  /** Records one failed authentication and its reason (`unknown`, `revoked`, `expired`, ...). */
  observeAuthFailure(reason: string): void {
    const key = labelText({ reason });
    this.authFailures.set(key, (this.authFailures.get(key) ?? 0) + 1);
  }

  /** Registers a value read at each scrape (e.g. cache hits). */
  registerValue(name: string, help: string, type: "counter" | "gauge", read: () => number): void {
    this.gauges.push({ name, help, type, read });
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): string {
    const lines: string[] = [];
    lines.push("# HELP keygate_http_requests_total HTTP requests served, by method, route and status.");
    lines.push("# TYPE keygate_http_requests_total counter");
    for (const [labels, n] of this.requests) lines.push(`keygate_http_requests_total${labels} ${n}`);
    lines.push(
      "# HELP keygate_http_request_duration_seconds Time to serve HTTP requests, by method and route.",
    );
    lines.push("# TYPE keygate_http_request_duration_seconds histogram");
    for (const h of this.latency.values()) {
      const inner = h.labels.slice(1, -1);
      let cumulative = 0;
      LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
        cumulative += h.counts[i] ?? 0;
        lines.push(`keygate_http_request_duration_seconds_bucket{${inner},le="${le}"} ${cumulative}`);
      });
      lines.push(`keygate_http_request_duration_seconds_bucket{${inner},le="+Inf"} ${h.count}`);
      lines.push(`keygate_http_request_duration_seconds_sum${h.labels} ${h.sum}`);
      lines.push(`keygate_http_request_duration_seconds_count${h.labels} ${h.count}`);
    }
    lines.push("# HELP keygate_auth_failures_total Failed authentications, by reason.");
    lines.push("# TYPE keygate_auth_failures_total counter");
    for (const [labels, n] of this.authFailures) lines.push(`keygate_auth_failures_total${labels} ${n}`);
    for (const g of this.gauges) {
      lines.push(`# HELP ${g.name} ${g.help}`);
      lines.push(`# TYPE ${g.name} ${g.type}`);
      lines.push(`${g.name} ${g.read()}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
