// Package stats keeps the runtime's counters and per-stage latencies:
// recorded per frame without allocating, summarised (FPS, p50/p95) for the
// exit report, /stats (JSON) and /metrics (Prometheus text format).
//
// Standard library only; any edge/ package may import it.
package stats
