// Package pipeline is the edge runtime's frame loop: capture → preprocess
// → infer → postprocess → sinks, one goroutine per stage, joined by
// bounded queues. A fixed set of frame slots circulates through the stages,
// so the steady state allocates nothing. Live sources keep only the newest
// frame (stale ones are dropped) and are reopened when they fail; files
// and image folders give every frame. Cancelling the context stops capture
// and lets the frames in flight finish, so sinks close cleanly.
//
// May import the other edge/ packages and GoCV; never gotch. Imported by
// edge/sink and cmd/edge-depth.
package pipeline
