package matfile

import (
	"fmt"
	"os"
)

// Var is one numeric variable. Data is in MATLAB's column-major order (the
// first index varies fastest), converted to float64 whatever the stored
// type; use At, RowMajor or Plane for C-order access.
type Var struct {
	Name  string
	Class string // "double", "single", "uint8", ..., or "logical"
	Dims  []int
	Data  []float64
}

// File is a decoded MAT-file.
type File struct {
	Path   string
	Header string // the descriptive text of the 128-byte header
	Vars   []Var  // in file order
}

// Read decodes every variable of the file at path; any unsupported
// variable is an error.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("matfile: %w", err)
	}
	return Decode(data, path)
}

// ReadVar decodes only the variable called name, skipping the others, so a
// file that also holds, say, a struct of metadata still yields its array.
func ReadVar(path, name string) (Var, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Var{}, fmt.Errorf("matfile: %w", err)
	}
	f, err := decodeFile(data, path, &name)
	if err != nil {
		return Var{}, err
	}
	return f.Var(name)
}

// Decode decodes a MAT-file held in memory; name is used in errors.
func Decode(data []byte, name string) (*File, error) {
	return decodeFile(data, name, nil)
}

// Var returns the named variable, or an error naming the file.
func (f *File) Var(name string) (Var, error) {
	for _, v := range f.Vars {
		if v.Name == name {
			return v, nil
		}
	}
	return Var{}, fmt.Errorf("matfile %s: no variable %q", f.Path, name)
}

func decodeFile(data []byte, path string, only *string) (*File, error) {
	d, header, err := newDecoder(data)
	if err != nil {
		return nil, fmt.Errorf("matfile %s: %w", path, err)
	}
	f := &File{Path: path, Header: header}
	if err := d.topLevel(data[headerSize:], only, &f.Vars); err != nil {
		return nil, fmt.Errorf("matfile %s: %w", path, err)
	}
	return f, nil
}
