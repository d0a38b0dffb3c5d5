// HTTP API, metrics: the Prometheus exposition of counters and cumulative histograms.
import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "./metrics-registry.js";

describe("MetricsRegistry", () => {
  it("counts requests per method, route and status and writes cumulative latency buckets", () => {
    const metrics = new MetricsRegistry();
    metrics.observeRequest("GET", "/a", 200, 0.0004);
    metrics.observeRequest("GET", "/a", 200, 0.02);
    metrics.observeRequest("GET", "/a", 401, 10);
    metrics.observeAuthFailure("revoked");
    let hits = 0;
    metrics.registerValue("keygate_token_cache_hits_total", "hits", "counter", () => ++hits);
    const text = metrics.exposition();
    expect(text).toContain('keygate_http_requests_total{method="GET",route="/a",status="200"} 2');
    expect(text).toContain('keygate_http_requests_total{method="GET",route="/a",status="401"} 1');
    expect(text).toContain(
      'keygate_http_request_duration_seconds_bucket{method="GET",route="/a",le="0.0005"} 1',
    );
    expect(text).toContain(
      'keygate_http_request_duration_seconds_bucket{method="GET",route="/a",le="0.025"} 2',
    );
    expect(text).toContain('keygate_http_request_duration_seconds_bucket{method="GET",route="/a",le="5"} 2');
    expect(text).toContain(
      'keygate_http_request_duration_seconds_bucket{method="GET",route="/a",le="+Inf"} 3',
    );
    expect(text).toContain('keygate_http_request_duration_seconds_count{method="GET",route="/a"} 3');
    expect(text).toContain('keygate_auth_failures_total{reason="revoked"} 1');
    expect(text).toContain("keygate_token_cache_hits_total 1");
  });
});
