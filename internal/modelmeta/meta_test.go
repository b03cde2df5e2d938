package modelmeta

import (
	"reflect"
	"strings"
	"testing"
)

func sample() Meta {
	return Meta{Width: 256, Height: 96, Layout: LayoutNCHWFloat, Outputs: []string{"disparity", "depth"},
		MinDepth: 0.1, MaxDepth: 100, Scale: 5.4, Fx: 148.2, Fy: 148.2, Cx: 128, Cy: 48,
		Encoder: "resnet18", EncoderWidth: 0.25, Padding: "reflect", Grouping: "default", Lambda: 0.1,
		Checkpoint: "ab12", Version: ProjectVersion}
}

func TestRoundTrip(t *testing.T) {
	m := sample()
	props, err := m.Props()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(props)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, m)
	}
}

func TestParseRefuses(t *testing.T) {
	good, _ := sample().Props()
	cases := map[string]func(map[string]string){
		"not an X-Distill depth model": func(p map[string]string) { delete(p, "format") },
		`model format "other/2"`:       func(p map[string]string) { p["format"] = "other/2" },
		`no "max_depth" key`:           func(p map[string]string) { delete(p, "max_depth") },
		`input_width="wide"`:           func(p map[string]string) { p["input_width"] = "wide" },
		"multiples of 32":              func(p map[string]string) { p["input_width"] = "250" },
		"depth range":                  func(p map[string]string) { p["min_depth"] = "200" },
		"layout":                       func(p map[string]string) { p["input_layout"] = "nchw-uint16" },
		"outputs":                      func(p map[string]string) { p["outputs"] = "disparity,disparity" },
	}
	for want, mutate := range cases {
		p := map[string]string{}
		for k, v := range good {
			p[k] = v
		}
		mutate(p)
		if _, err := Parse(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
}

func TestDepthFromDisparity(t *testing.T) {
	m := sample()
	if d := m.DepthFromDisparity(0); d < 99.99 || d > 100.01 {
		t.Errorf("disp 0 → %g, want 100", d)
	}
	if d := m.DepthFromDisparity(1); d < 0.09999 || d > 0.10001 {
		t.Errorf("disp 1 → %g, want 0.1", d)
	}
}
