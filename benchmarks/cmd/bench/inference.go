package main

import (
	"fmt"
	"log"
	"time"

	"github.com/xdistill/edge-depth/benchmarks"
	"github.com/xdistill/edge-depth/export"
	"github.com/xdistill/edge-depth/internal/onnx/graph"
)

// row is one runtime at one size.
type row struct {
	runtime string
	variant string // the export variant it ran
	lat     benchmarks.Latency
	diff    float64 // max |Δdisparity| against ONNX Runtime FP32 on the same frame
	int8    bool
}

// probe is whether OpenCV DNN loaded one export variant at one size.
type probe struct {
	variant string
	refusal string // "" = loaded and ran
}

// sizeResult is everything measured at one input size.
type sizeResult struct {
	net    string // e.g. "resnet18 ×0.25"
	w, h   int
	flops  benchmarks.FLOPs
	rows   []row
	probes []probe
	spread benchmarks.Spread // of the reference disparity
}

// inferenceSetup says what to export and how long to time it.
type inferenceSetup struct {
	net      string    // the network, e.g. "resnet18 ×0.25"
	dir      string    // scratch directory for the models
	variants []variant // [0] is the default export every runtime but OpenCV runs
	runs     int       // timed frames per runtime and size
}

// measureSize exports, quantizes and times every runtime at w×h.
func measureSize(s inferenceSetup, w, h int) (sizeResult, error) {
	res := sizeResult{net: s.net, w: w, h: h}
	def := s.variants[0]
	fp32, err := exportAt(def, s.dir, w, h)
	if err != nil {
		return res, err
	}
	g, err := onnxgraph.Load(fp32)
	if err != nil {
		return res, fmt.Errorf("load %s: %w", fp32, err)
	}
	if res.flops, err = benchmarks.CountFLOPs(g); err != nil {
		return res, err
	}
	frames := worldFrames(5, w, h)
	int8, err := quantize(fp32, w, h, frames[1:])
	if err != nil {
		return res, err
	}
	img := frames[0]
	cs, variants, err := contenders(s, def, fp32, int8, img, w, h, &res)
	if err != nil {
		return res, err
	}
	defer func() {
		for _, c := range cs {
			c.close()
		}
	}()
	times, err := timeRotating(cs, s.runs)
	if err != nil {
		return res, fmt.Errorf("%dx%d: %w", w, h, err)
	}
	ref, err := cs[1].out() // ONNX Runtime FP32
	if err != nil {
		return res, err
	}
	if err := benchmarks.CheckSpread(fmt.Sprintf("%s at %dx%d", s.net, w, h), ref, benchmarks.MinSpread); err != nil {
		return res, err
	}
	res.spread = benchmarks.SpreadOf(ref)
	for i, c := range cs {
		out, err := c.out()
		if err != nil {
			return res, fmt.Errorf("%s output: %w", c.name, err)
		}
		res.rows = append(res.rows, row{runtime: c.name, variant: variants[i], lat: benchmarks.Summarize(times[i]),
			diff: maxAbsDiff(out, ref), int8: c.int8})
	}
	return res, nil
}

// opener opens one contender; variant is the export it runs.
type opener struct {
	variant string
	open    func() (*contender, error)
}

// contenders opens gotch, ONNX Runtime FP32 and INT8 and, when one of the
// export variants loads there, OpenCV DNN; it returns them with the
// variant each runs.
func contenders(s inferenceSetup, def variant, fp32, int8 string, img []float32, w, h int, res *sizeResult) (cs []*contender, variants []string, err error) {
	defer func() {
		if err != nil {
			for _, c := range cs {
				c.close()
			}
		}
	}()
	open := []opener{
		{"checkpoint (training's forward)", func() (*contender, error) { return gotchContender(def.Run, img, w, h) }},
		{def.Short, func() (*contender, error) { return ortContender("ONNX Runtime FP32", fp32, img, false) }},
		{def.Short + " → QDQ (ORT layout)", func() (*contender, error) { return ortContender("ONNX Runtime INT8 QDQ", int8, img, true) }},
	}
	cv, cvVariant, err := firstOpenCVVariant(s, w, h, res)
	if err != nil {
		return nil, nil, err
	}
	if cv != "" {
		open = append(open, opener{cvVariant, func() (*contender, error) { return opencvContender(cv, img, w, h) }})
	}
	for _, o := range open {
		c, err := o.open()
		if err != nil {
			return cs, nil, err
		}
		cs, variants = append(cs, c), append(variants, o.variant)
	}
	return cs, variants, nil
}

// firstOpenCVVariant probes every export variant (the table tells users
// which export options OpenCV takes) and returns the first that OpenCV
// DNN loads and runs ("" if none); each outcome goes into res.
func firstOpenCVVariant(s inferenceSetup, w, h int, res *sizeResult) (path, name string, err error) {
	for _, v := range s.variants {
		p, err := exportAt(v, s.dir, w, h)
		if err != nil {
			return "", "", err
		}
		why, err := probeOpenCV(p, w, h)
		if err != nil {
			return "", "", err
		}
		res.probes = append(res.probes, probe{variant: v.Name, refusal: why})
		if why != "" {
			log.Printf("bench: OpenCV DNN refuses %s at %dx%d: %s", v.Name, w, h, why)
		} else if path == "" {
			path, name = p, v.Short
		}
	}
	return path, name, nil
}

// block is how many frames a contender runs in a row.
const block = 5

// timeRotating times runs frames per contender in blocks of 5, rotating
// the order, each block after a pause and one untimed frame: the other
// runtimes' worker threads may still be winding down, and load from
// other processes on a shared machine then hits every contender alike.
func timeRotating(cs []*contender, runs int) ([][]time.Duration, error) {
	for _, c := range cs { // warm-up: first-run allocations, lazy init
		for range 2 {
			if err := c.run(); err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
		}
	}
	times := make([][]time.Duration, len(cs))
	for done, round := 0, 0; done < runs; done, round = done+block, round+1 {
		for j := range cs {
			k := (j + round) % len(cs)
			c := cs[k]
			time.Sleep(50 * time.Millisecond)
			if err := c.run(); err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			for range min(block, runs-done) {
				t0 := time.Now()
				err := c.run()
				times[k] = append(times[k], time.Since(t0))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", c.name, err)
				}
			}
		}
	}
	return times, nil
}

// exportVariants are the ways of writing the network, in the order OpenCV
// is offered them: the default (reflect as Slice+Concat), one Pad node,
// and — as its own network, trained that way — zero padding.
func exportVariants(reflectRun, zeroRun string) []variant {
	return []variant{
		{Name: "default export (reflect as Slice+Concat)", Short: "default export", Run: reflectRun, Opts: export.Options{ReflectOp: export.ReflectSlice}},
		{Name: "--reflect-op pad (reflect as one Pad)", Short: "--reflect-op pad", Run: reflectRun, Opts: export.Options{ReflectOp: export.ReflectPad}},
		{Name: "--pad zero (a zero-padded net)", Short: "--pad zero", Run: zeroRun, Opts: export.Options{Padding: "zero"}},
	}
}
