package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"

	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/modelmeta"
)

// JetPackTrtexec is where JetPack installs trtexec; it is not on PATH there.
const JetPackTrtexec = "/usr/src/tensorrt/bin/trtexec"

// FindTrtexec returns trtexec from PATH, else JetPack's location, else "".
func FindTrtexec() string {
	if p, err := exec.LookPath("trtexec"); err == nil {
		return p
	}
	if st, err := os.Stat(JetPackTrtexec); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
		return JetPackTrtexec
	}
	return ""
}

// EngineOptions say how to build a TensorRT engine from an exported model.
type EngineOptions struct {
	ONNX   string
	Engine string         // output; "" = the model path with .engine
	Meta   modelmeta.Meta // the model's metadata (input size, layout, batch)
	FP16   bool
	INT8   bool
	Calib  string // TensorRT calibration cache (calibration/ writes it); INT8 needs it
	// MaxBatch is the largest batch of the optimisation profile of a
	// dynamic-batch model (0 = 8); optimised for batch 1.
	MaxBatch int
}

func (o *EngineOptions) defaults() error {
	if o.Engine == "" {
		o.Engine = strings.TrimSuffix(o.ONNX, ".onnx") + ".engine"
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = 8
	}
	switch {
	case o.Calib != "" && !o.INT8:
		return fmt.Errorf("engine: --calib %s given without --int8", o.Calib)
	case o.INT8 && o.Calib == "":
		// Without ranges trtexec quantises with made-up scales: an engine
		// that runs fast and predicts nonsense.
		return errors.New("engine: --int8 needs --calib CACHE (a TensorRT calibration cache from `xdistill calibrate`); without one trtexec uses placeholder ranges and the depth is garbage")
	case o.MaxBatch < 1:
		return fmt.Errorf("engine: max batch %d: want ≥ 1", o.MaxBatch)
	}
	if o.Calib != "" {
		if _, err := os.Stat(o.Calib); err != nil {
			return fmt.Errorf("engine: calibration cache: %w", err)
		}
	}
	return o.Meta.Validate()
}

// TrtexecArgs are trtexec's arguments for o (without the program name).
func TrtexecArgs(o EngineOptions) ([]string, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	return o.args(), nil
}

func (o *EngineOptions) args() []string {
	args := []string{"--onnx=" + o.ONNX, "--saveEngine=" + o.Engine}
	if o.Meta.Batch == 0 {
		shape := func(n int) string {
			if o.Meta.Layout == modelmeta.LayoutNHWCUint8 {
				return fmt.Sprintf("%s:%dx%dx%dx3", modelmeta.InputImage, n, o.Meta.Height, o.Meta.Width)
			}
			return fmt.Sprintf("%s:%dx3x%dx%d", modelmeta.InputImage, n, o.Meta.Height, o.Meta.Width)
		}
		args = append(args, "--minShapes="+shape(1), "--optShapes="+shape(1), "--maxShapes="+shape(o.MaxBatch))
	}
	if o.FP16 {
		args = append(args, "--fp16")
	}
	if o.INT8 {
		args = append(args, "--int8", "--calib="+o.Calib)
	}
	return args
}

// Command is the trtexec invocation as one shell line, for users to run
// on the Jetson themselves.
func Command(trtexec string, args []string) string {
	parts := []string{shellQuote(trtexec)}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:+,@", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// EngineReport summarises a trtexec run.
type EngineReport struct {
	Engine     string
	Log        string // the full log, beside the engine
	Passed     bool
	Version    string // TensorRT version
	BuildTime  string // e.g. "41.2 sec"
	Latency    string // trtexec's latency line after the build
	Throughput string
	Warnings   int
	Errors     []string // the [E] lines
}

func (r EngineReport) String() string {
	var b strings.Builder
	status := "FAILED"
	if r.Passed {
		status = "built " + r.Engine
	}
	fmt.Fprintf(&b, "trtexec %s", status)
	for _, kv := range [][2]string{{"TensorRT", r.Version}, {"build", r.BuildTime}, {"throughput", r.Throughput}, {"latency", r.Latency}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "; %s %s", kv[0], kv[1])
		}
	}
	fmt.Fprintf(&b, "; %d warnings, %d errors (log %s)", r.Warnings, len(r.Errors), r.Log)
	for _, e := range r.Errors[:min(len(r.Errors), 5)] {
		fmt.Fprintf(&b, "\n  %s", e)
	}
	return b.String()
}

var (
	reVersion    = regexp.MustCompile(`TensorRT version: (\S+)`)
	reBuild      = regexp.MustCompile(`Engine built in ([0-9.]+ ?\w+)`)
	reLatency    = regexp.MustCompile(`\] Latency: (.*)$`)
	reThroughput = regexp.MustCompile(`Throughput: (.*)$`)
)

// ParseTrtexecLog reads the summary out of trtexec's output.
func ParseTrtexecLog(log []byte) EngineReport {
	var r EngineReport
	for _, line := range strings.Split(string(log), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "&&&& PASSED"):
			r.Passed = true
		case strings.HasPrefix(line, "&&&& FAILED"):
			r.Passed = false
		case strings.Contains(line, "] [W] "):
			r.Warnings++
		case strings.Contains(line, "] [E] "):
			r.Errors = append(r.Errors, line)
		}
		for _, f := range []struct {
			re  *regexp.Regexp
			dst *string
		}{{reVersion, &r.Version}, {reBuild, &r.BuildTime}, {reLatency, &r.Latency}, {reThroughput, &r.Throughput}} {
			if m := f.re.FindStringSubmatch(line); m != nil && *f.dst == "" {
				*f.dst = strings.TrimSpace(m[1])
			}
		}
	}
	return r
}

// BuildEngine runs trtexec, writes its whole output to ENGINE.log and
// returns the summary; a failed build is an error carrying the summary.
func BuildEngine(ctx context.Context, trtexec string, o EngineOptions) (*EngineReport, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	args := o.args()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, trtexec, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	r := ParseTrtexecLog(out.Bytes())
	r.Engine, r.Log = o.Engine, o.Engine+".log"
	if err := fsutil.WriteFileAtomic(r.Log, out.Bytes(), 0o644); err != nil {
		return &r, fmt.Errorf("engine: write log: %w", err)
	}
	if ctx.Err() != nil {
		return &r, ctx.Err()
	}
	if runErr != nil || !r.Passed {
		if runErr == nil {
			runErr = errors.New("no PASSED line")
		}
		return &r, fmt.Errorf("engine: %s failed (%v): %s", Command(trtexec, args), runErr, r)
	}
	if _, err := os.Stat(o.Engine); err != nil {
		return &r, fmt.Errorf("engine: trtexec passed but wrote no engine: %w", err)
	}
	return &r, nil
}
