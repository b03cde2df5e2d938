package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/xdistill/edge-depth/internal/modelmeta"
	"github.com/xdistill/edge-depth/internal/ort"
)

// printInfo opens the model exactly as the runtime would (same library
// search, same provider choice) and prints what the runtime configures
// itself from: the provider, the inputs and outputs, and metadata_props.
func printInfo(w io.Writer, o options) error {
	if o.model == "" {
		return errors.New("--info needs --model FILE")
	}
	// Library order: --ort-lib, then $ONNXRUNTIME_LIB, then the make deps
	// location (edge-depth reads no config file).
	lib, err := ort.Ensure(o.ortLib, "")
	if err != nil {
		return err
	}
	s, err := ort.Open(o.model, o.ortOptions())
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(w, s.Report())
	fmt.Fprintf(w, "model:   %s\nlibrary: %s\n", s.Path(), lib)
	printTensors(w, "input: ", s.Inputs())
	printTensors(w, "output:", s.Outputs())
	printMetadata(w, s)
	if m, err := modelmeta.Parse(s.Metadata()); err != nil {
		fmt.Fprintf(w, "contract: refused: %v\n", err)
	} else {
		fmt.Fprintf(w, "contract: ok (%dx%d %s, outputs %v, depth %g..%g, scale %g)\n", m.Width, m.Height, m.Layout, m.Outputs, m.MinDepth, m.MaxDepth, m.Scale)
	}
	return nil
}

// printTensors writes one line per tensor: name, element type, shape, with
// -1 for a dimension fixed only at run time.
func printTensors(w io.Writer, label string, infos []ort.TensorInfo) {
	for _, t := range infos {
		note := ""
		if t.Dynamic() {
			note = "  (-1: set at run time)"
		}
		fmt.Fprintf(w, "%s %s %s %v%s\n", label, t.Name, t.Type, t.Shape, note)
	}
}

// printMetadata writes metadata_props sorted by key.
func printMetadata(w io.Writer, s *ort.Session) {
	keys := s.MetadataKeys()
	if len(keys) == 0 {
		fmt.Fprintln(w, "metadata: none")
		return
	}
	fmt.Fprintln(w, "metadata:")
	meta := s.Metadata()
	for _, k := range keys {
		fmt.Fprintf(w, "  %s = %s\n", k, meta[k])
	}
}
