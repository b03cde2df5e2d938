package matfile

import "fmt"

// At returns the element at the given (0-based) subscripts, one per
// dimension; MATLAB's column-major layout puts the first index fastest.
// It panics on a wrong subscript count or an out-of-range subscript.
func (v Var) At(idx ...int) float64 {
	if len(idx) != len(v.Dims) {
		panic(fmt.Sprintf("matfile: %d subscripts for %q with %d dimensions", len(idx), v.Name, len(v.Dims)))
	}
	off, stride := 0, 1
	for k, i := range idx {
		if i < 0 || i >= v.Dims[k] {
			panic(fmt.Sprintf("matfile: subscript %d of %q out of range [0,%d)", i, v.Name, v.Dims[k]))
		}
		off += i * stride
		stride *= v.Dims[k]
	}
	return v.Data[off]
}

// RowMajor returns the whole array in C order (last index fastest), the
// layout numpy and our image code use.
func (v Var) RowMajor() []float64 {
	out := make([]float64, len(v.Data))
	if len(out) == 0 {
		return out
	}
	idx := make([]int, len(v.Dims))
	for i := range out {
		out[i] = v.At(idx...)
		for k := len(idx) - 1; k >= 0; k-- { // odometer, last index fastest
			if idx[k]++; idx[k] < v.Dims[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// Plane returns v[:, :, k] as a row-major rows×cols image, rows = Dims[0],
// cols = Dims[1]: for Make3D's Position3DGrid, Plane(3) is the depth map.
// A 2-D variable has the single plane 0; higher dimensions are refused.
func (v Var) Plane(k int) (data []float64, rows, cols int, err error) {
	planes := 1
	switch len(v.Dims) {
	case 2:
	case 3:
		planes = v.Dims[2]
	default:
		return nil, 0, 0, fmt.Errorf("matfile: %q has %d dimensions, Plane needs 2 or 3", v.Name, len(v.Dims))
	}
	if k < 0 || k >= planes {
		return nil, 0, 0, fmt.Errorf("matfile: %q has %d planes, no plane %d", v.Name, planes, k)
	}
	rows, cols = v.Dims[0], v.Dims[1]
	data = make([]float64, rows*cols)
	base := k * rows * cols
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			data[r*cols+c] = v.Data[base+c*rows+r]
		}
	}
	return data, rows, cols, nil
}
