package npy

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// Array2D is one depth map: H rows of W values in C order.
type Array2D struct {
	H, W int
	Data []float32
}

// DepthMaps reads per-image depth maps, such as Monodepth2's gt_depths.npz,
// from the .npz member key ("" means "data", the name Monodepth2 uses) or
// from a .npy file (key ignored). The array may be numeric (N, H, W), a
// single (H, W) map, or a 1-D object array of (H, W) arrays, which is what
// numpy makes of maps of different sizes. Values are converted to float32;
// an "<f4" (N, H, W) array is shared, not copied.
func DepthMaps(path, key string) ([]Array2D, error) {
	if key == "" {
		key = "data"
	}
	a, err := loadAny(path, key)
	if err != nil {
		return nil, err
	}
	maps, err := depthMaps(a)
	if err != nil {
		return nil, fmt.Errorf("depth maps %s: %w", path, err)
	}
	return maps, nil
}

// loadAny reads a .npy, or the member key of an .npz, by the file's magic.
func loadAny(path, key string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	head := make([]byte, len(magic))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("npy %s: too short for .npy or .npz (%w)", path, err)
	}
	switch {
	case string(head) == magic:
		return LoadNPY(path)
	case bytes.HasPrefix(head, []byte("PK")):
		arrays, err := openNPZ(path, key)
		if err != nil {
			return nil, err
		}
		return arrays[key], nil
	}
	return nil, fmt.Errorf("npy %s: neither .npy nor .npz (starts with %q)", path, head)
}

func depthMaps(a *Array) ([]Array2D, error) {
	if a.DType == ObjectDType {
		elems, _ := a.Objects()
		if len(a.Shape) != 1 {
			return nil, fmt.Errorf("object array of shape %v, want one dimension", a.Shape)
		}
		maps := make([]Array2D, len(elems))
		for i, e := range elems {
			if len(e.Shape) != 2 || e.DType == ObjectDType {
				return nil, fmt.Errorf("element %d has shape %v and dtype %s, want a numeric (H, W) array", i, e.Shape, e.DType)
			}
			data, err := e.Float32()
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			maps[i] = Array2D{H: e.Shape[0], W: e.Shape[1], Data: data}
		}
		return maps, nil
	}
	data, err := a.Float32()
	if err != nil {
		return nil, err
	}
	switch len(a.Shape) {
	case 2:
		return []Array2D{{H: a.Shape[0], W: a.Shape[1], Data: data}}, nil
	case 3:
		n, h, w := a.Shape[0], a.Shape[1], a.Shape[2]
		maps := make([]Array2D, n)
		for i := range maps {
			maps[i] = Array2D{H: h, W: w, Data: data[i*h*w : (i+1)*h*w : (i+1)*h*w]}
		}
		return maps, nil
	}
	return nil, fmt.Errorf("array of shape %v, want (N, H, W), (H, W) or an object array of (H, W) arrays", a.Shape)
}
