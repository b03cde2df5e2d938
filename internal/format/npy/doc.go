// Package npy reads numpy's .npy and .npz files in pure Go: numeric arrays
// of the common little-endian dtypes in C or Fortran order, and object
// arrays of such arrays, which numpy stores as a Python pickle (Monodepth2's
// gt_depths.npz, whose KITTI depth maps differ in size, is one).
//
// The pickle is read by a small interpreter that knows only the opcodes
// numpy and Python emit for arrays and only the globals needed to rebuild
// them (numpy's _reconstruct, ndarray, dtype and _frombuffer, and
// _codecs.encode); it never runs code, and any other global is refused.
//
// It imports only the standard library; any package may import it.
package npy
