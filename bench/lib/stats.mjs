// Latency statistics on sorted arrays (exact percentiles; our sample counts are
// at most a few million, so exact beats an approximate HDR histogram here).

export class Recorder {
  constructor(initial = 1 << 16) { this.buf = new Float64Array(initial); this.n = 0; }
  add(v) {
    if (this.n === this.buf.length) { const b = new Float64Array(this.buf.length * 2); b.set(this.buf); this.buf = b; }
    this.buf[this.n++] = v;
  }
  values() { return this.buf.subarray(0, this.n); }
  summary() { return summarize(this.values()); }
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

const r3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);

/** Summary of a list of latencies in ms. */
export function summarize(values) {
  const a = Float64Array.from(values).sort();
  const n = a.length;
  if (n === 0) return { count: 0, min: null, mean: null, p50: null, p90: null, p95: null, p99: null, p999: null, max: null };
  let sum = 0; for (let i = 0; i < n; i++) sum += a[i];
  return {
    count: n, min: r3(a[0]), mean: r3(sum / n), p50: r3(percentile(a, 50)), p90: r3(percentile(a, 90)),
    p95: r3(percentile(a, 95)), p99: r3(percentile(a, 99)), p999: r3(percentile(a, 99.9)), max: r3(a[n - 1]),
  };
}

/** Per-second counters + per-second latency percentiles for time-series charts. */
export class TimeSeries {
  constructor(t0) { this.t0 = t0; this.buckets = new Map(); }
  bucket(t) { const s = Math.floor((t - this.t0) / 1000); let b = this.buckets.get(s); if (!b) { b = { counts: {}, lat: [] }; this.buckets.set(s, b); } return b; }
  inc(t, key, by = 1) { const b = this.bucket(t); b.counts[key] = (b.counts[key] || 0) + by; }
  lat(t, v) { this.bucket(t).lat.push(v); }
  toJSON() {
    const secs = [...this.buckets.keys()].sort((a, b) => a - b);
    return secs.map((s) => {
      const b = this.buckets.get(s); const sm = b.lat.length ? summarize(b.lat) : null;
      return { t: s, ...b.counts, p50: sm?.p50 ?? null, p99: sm?.p99 ?? null };
    });
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const round = (x, d = 1) => (x == null || !isFinite(x) ? x : Math.round(x * 10 ** d) / 10 ** d);
