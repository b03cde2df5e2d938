// Package matfile reads numeric arrays from MATLAB Level 5 MAT-files (the
// format of MATLAB's save -v6 / -v7 and scipy.io.savemat), enough for
// datasets that ship their ground truth that way, such as Make3D's laser
// depth grids. Cell arrays, structs, objects, sparse, complex and character
// arrays are refused with an error naming the variable. v7.3 files are
// HDF5 and are not read. Pure Go.
//
// It imports only the standard library; any package may import it.
package matfile
