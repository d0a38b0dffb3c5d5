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

/** A request counter of one (method, route, status). */
interface Counter {
  n: number;
}

/** The metrics of one (method, route): its counters by status and its latency histogram. */
export interface RequestSeries {
  readonly method: string;
  readonly route: string;
  readonly byStatus: Map<number, Counter>;
  readonly histogram: Histogram;
}

/** The process's metrics: HTTP requests, latency, failed authentications, plus gauges read at scrape time. */
export class MetricsRegistry {
  private readonly requests = new Map<string, Counter>();
  private readonly series = new Map<string, RequestSeries>();
  private readonly latency = new Map<string, Histogram>();
  private readonly authFailures = new Map<string, number>();
  private readonly gauges: { name: string; help: string; type: "counter" | "gauge"; read: () => number }[] =
    [];

  /**
   * The series of a (method, route), made on first use: hold it and pass it to `observe`, so the
   * request path builds no key and looks up no text (this runs on every request).
   */
  requestSeries(method: string, route: string): RequestSeries {
    const routeKey = `${method} ${route}`;
    let series = this.series.get(routeKey);
    if (!series) {
      const histogram: Histogram = {
        labels: labelText({ method, route }),
        counts: LATENCY_BUCKETS_SECONDS.map(() => 0),
        sum: 0,
        count: 0,
      };
      this.latency.set(routeKey, histogram);
      series = { method, route, byStatus: new Map(), histogram };
      this.series.set(routeKey, series);
    }
    return series;
  }

  /** Records one finished HTTP request of a series. */
  observe(series: RequestSeries, status: number, seconds: number): void {
    let counter = series.byStatus.get(status);
    if (counter === undefined) {
      const key = labelText({ method: series.method, route: series.route, status: String(status) });
      counter = this.requests.get(key) ?? { n: 0 };
      this.requests.set(key, counter);
      series.byStatus.set(status, counter);
    }
    counter.n++;
    const histogram = series.histogram;
    // Buckets are stored non-cumulative and summed at exposition time.
    let i = 0;
    while (i < LATENCY_BUCKETS_SECONDS.length && seconds > (LATENCY_BUCKETS_SECONDS[i] ?? 0)) i++;
    if (i < histogram.counts.length) histogram.counts[i] = (histogram.counts[i] ?? 0) + 1;
    histogram.sum += seconds;
    histogram.count++;
  }

  /** Records one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.observe(this.requestSeries(method, route), status, seconds);
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
    for (const [labels, counter] of this.requests) lines.push(`keygate_http_requests_total${labels} ${counter.n}`);
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
