// Package safetensors reads and writes the safetensors format: named
// little-endian tensors behind a JSON header, the format PyTorch users read
// with the safetensors library (and trivially with numpy). Reading validates
// sizes, dtypes and offsets; writing is atomic (internal/fsutil) and
// deterministic. It is pure Go and may import only the standard library and
// internal/fsutil, so every stage, gotch-free ones included, can use it.
package safetensors
