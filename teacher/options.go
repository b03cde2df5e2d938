package teacher

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/xdistill/edge-depth/internal/data/kitti"
)

// Metadata keys a segmentation model may carry in its metadata_props to
// describe its input and classes (see docs/TEACHER.md).
const (
	KeyWidth      = "input_width"  // model input width in pixels
	KeyHeight     = "input_height" // model input height in pixels
	KeyMean       = "mean"         // "r,g,b", in the input scale
	KeyStd        = "std"          // "r,g,b", in the input scale
	KeyInputScale = "input_scale"  // "1": pixels in [0,1]; "255": [0,255]
	KeyClasses    = "classes"      // comma-separated class names in output-channel order
)

// ImageNet statistics on [0,1] input, what torchvision's segmentation
// models are trained with.
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// Options describe how to feed a segmentation model. Every zero field is
// taken from the model's metadata_props, then from the defaults: the
// model's static input size, ImageNet mean/std on [0,1] input, and the 19
// Cityscapes classes in trainId order.
type Options struct {
	Width, Height int       // model input size
	Mean, Std     []float32 // per channel R,G,B, in the input scale
	InputScale    float32   // 1: pixels in [0,1]; 255: pixels in [0,255]
	Classes       []string  // class names in output-channel order

	Input, Output string // tensor names; "" = the model's only one

	Provider string // auto, tensorrt, cuda or cpu (ORT provider chain)
	ORTLib   string // ONNX Runtime library; "" = internal/ort's search
	Threads  int    // ORT intra-op threads; 0 = ORT's default
}

// Settings are the resolved Options of an open teacher, with where each
// came from ("option", "metadata", "model shape" or "default").
type Settings struct {
	Width, Height int
	Mean, Std     [3]float32
	InputScale    float32
	Classes       []string
	TrainIDs      []uint8 // model class → Cityscapes trainId (kitti.Ignore if none)

	SizeFrom, NormFrom, ClassesFrom string
}

// resolve fills Settings from opts, then meta, then defaults. The size is
// only taken from opts or metadata here; the model's shape is checked and
// used by the caller.
func resolve(opts Options, meta map[string]string) (Settings, error) {
	var s Settings
	var err error
	if s.Width, s.Height, s.SizeFrom, err = resolveSize(opts, meta); err != nil {
		return s, err
	}
	if s.InputScale, s.Mean, s.Std, s.NormFrom, err = resolveNorm(opts, meta); err != nil {
		return s, err
	}
	s.Classes, s.ClassesFrom = opts.Classes, "option"
	if len(s.Classes) == 0 {
		s.Classes, s.ClassesFrom = kitti.ClassNames[:], "default"
		if v, ok := meta[KeyClasses]; ok {
			s.Classes, s.ClassesFrom = splitList(v), "metadata"
		}
	}
	if s.TrainIDs, err = MapClasses(s.Classes); err != nil {
		return s, fmt.Errorf("classes (%s): %w", s.ClassesFrom, err)
	}
	return s, nil
}

func resolveSize(opts Options, meta map[string]string) (w, h int, from string, err error) {
	if opts.Width > 0 || opts.Height > 0 {
		if opts.Width <= 0 || opts.Height <= 0 {
			return 0, 0, "", fmt.Errorf("input size %dx%d: want both positive", opts.Width, opts.Height)
		}
		return opts.Width, opts.Height, "option", nil
	}
	ws, okw := meta[KeyWidth]
	hs, okh := meta[KeyHeight]
	if !okw && !okh {
		return 0, 0, "", nil
	}
	w, err1 := strconv.Atoi(strings.TrimSpace(ws))
	h, err2 := strconv.Atoi(strings.TrimSpace(hs))
	if err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return 0, 0, "", fmt.Errorf("metadata %s=%q %s=%q: want two positive integers", KeyWidth, ws, KeyHeight, hs)
	}
	return w, h, "metadata", nil
}

// resolveNorm picks the input scale, then mean and std; the default
// mean/std are ImageNet's, expressed in the chosen scale.
func resolveNorm(opts Options, meta map[string]string) (scale float32, mean, std [3]float32, from string, err error) {
	var froms []string
	note := func(f string) {
		if !slices.Contains(froms, f) {
			froms = append(froms, f)
		}
	}
	scale, note1, err := pickScale(opts.InputScale, meta)
	if err != nil {
		return
	}
	note(note1)
	pick := func(given []float32, key string, def [3]float32) ([3]float32, error) {
		switch {
		case given != nil:
			note("option")
			return triple(given, key)
		case meta[key] != "":
			note("metadata")
			v, err := ParseTriple(meta[key])
			if err != nil {
				return v, fmt.Errorf("metadata %s: %w", key, err)
			}
			return v, nil
		}
		note("default")
		return [3]float32{def[0] * scale, def[1] * scale, def[2] * scale}, nil
	}
	if mean, err = pick(opts.Mean, KeyMean, ImageNetMean); err != nil {
		return
	}
	if std, err = pick(opts.Std, KeyStd, ImageNetStd); err != nil {
		return
	}
	for c, v := range std {
		if !(v > 0) {
			err = fmt.Errorf("std %v: channel %d is not positive", std, c)
			return
		}
	}
	return scale, mean, std, strings.Join(froms, "+"), nil
}

func pickScale(given float32, meta map[string]string) (float32, string, error) {
	if given != 0 {
		if given != 1 && given != 255 {
			return 0, "", fmt.Errorf("input scale %g: want 1 ([0,1] pixels) or 255 ([0,255])", given)
		}
		return given, "option", nil
	}
	switch strings.TrimSpace(meta[KeyInputScale]) {
	case "":
		return 1, "default", nil
	case "1":
		return 1, "metadata", nil
	case "255":
		return 255, "metadata", nil
	}
	return 0, "", fmt.Errorf("metadata %s=%q: want 1 or 255", KeyInputScale, meta[KeyInputScale])
}

func triple(v []float32, what string) ([3]float32, error) {
	if len(v) != 3 {
		return [3]float32{}, fmt.Errorf("%s %v: want 3 values (R,G,B)", what, v)
	}
	return [3]float32{v[0], v[1], v[2]}, nil
}

// ParseTriple reads "a,b,c" (R,G,B), as --mean/--std and metadata give them.
func ParseTriple(s string) ([3]float32, error) {
	parts := splitList(s)
	if len(parts) != 3 {
		return [3]float32{}, fmt.Errorf("%q: want 3 comma-separated numbers (R,G,B)", s)
	}
	var out [3]float32
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 32)
		if err != nil {
			return out, fmt.Errorf("%q: %q is not a number", s, p)
		}
		out[i] = float32(v)
	}
	return out, nil
}

// splitList splits on commas and trims each item.
func splitList(s string) []string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// ReadClassFile reads class names, one per line in output-channel order;
// blank lines and lines starting with # are skipped.
func ReadClassFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("class list: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("class list %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("class list %s: no class names", path)
	}
	return out, nil
}

// MapClasses maps model class names to Cityscapes trainIds by name
// (case, '_' and '-' do not matter: "traffic_light" is "traffic light").
// Names that are not Cityscapes classes map to kitti.Ignore; a list in
// which no name is a Cityscapes class is refused, since it would label
// every pixel "ignore".
func MapClasses(names []string) ([]uint8, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("empty class list")
	}
	ids := map[string]uint8{}
	for id, n := range kitti.ClassNames {
		ids[normName(n)] = uint8(id)
	}
	out := make([]uint8, len(names))
	known := 0
	for i, n := range names {
		id, ok := ids[normName(n)]
		if !ok {
			id = kitti.Ignore
		} else {
			known++
		}
		out[i] = id
	}
	if known == 0 {
		return nil, fmt.Errorf("none of the %d classes (%s) is a Cityscapes class name (%s)",
			len(names), abbrev(names, 6), strings.Join(kitti.ClassNames[:], ", "))
	}
	return out, nil
}

func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("_", " ", "-", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// abbrev lists the first n names and how many more there are.
func abbrev(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … %d more", strings.Join(names[:n], ", "), len(names)-n)
}
