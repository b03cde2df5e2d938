// Package checkpoint stores trained networks: weights and optimizer state
// as safetensors files (internal/format/safetensors), plus a JSON run record
// that names the weights by SHA-256 so that a mismatched or corrupt
// checkpoint is refused, in crash-safe run directories. It is pure Go, so
// the gotch-free exporter reads checkpoints too; it may import only
// internal/format and internal/fsutil.
package checkpoint
