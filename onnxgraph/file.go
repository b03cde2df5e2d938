package onnxgraph

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/fsutil"
	"github.com/xdistill/edge-depth/onnxpb"
)

// SetMetadata replaces the model's metadata_props with meta (sorted by key,
// so the same model always serialises to the same bytes).
func (m *Model) SetMetadata(meta map[string]string) {
	m.Proto.MetadataProps = nil
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m.Proto.MetadataProps = append(m.Proto.MetadataProps, &onnxpb.StringStringEntryProto{Key: proto.String(k), Value: proto.String(meta[k])})
	}
}

// Metadata returns the model's metadata_props as a map.
func (m *Model) Metadata() map[string]string {
	out := map[string]string{}
	for _, p := range m.Proto.MetadataProps {
		out[p.GetKey()] = p.GetValue()
	}
	return out
}

// Marshal serialises the model deterministically.
func (m *Model) Marshal() ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m.Proto)
}

// Save writes the model atomically.
func (m *Model) Save(path string) error {
	data, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("save onnx %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, data, 0o644)
}

// Load reads a model file. A truncated or foreign file is an error naming
// the file, never a panic.
func Load(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load onnx %s: %w", path, err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("load onnx %s: %w", path, err)
	}
	return m, nil
}

// Parse decodes a serialised model and checks it has a graph and an opset.
func Parse(data []byte) (*Model, error) {
	var p onnxpb.ModelProto
	if err := proto.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("not an ONNX model (%d bytes): %w", len(data), err)
	}
	if p.Graph == nil || len(p.OpsetImport) == 0 || p.GetIrVersion() == 0 {
		return nil, errors.New("not an ONNX model: no graph, opset or IR version (truncated or another format?)")
	}
	m := &Model{Proto: &p, names: map[string]int{}}
	for _, n := range p.Graph.Node {
		m.names[n.GetName()]++
		for _, o := range n.Output {
			m.names[o]++
		}
	}
	for _, in := range p.Graph.Initializer {
		m.names[in.GetName()]++
	}
	return m, nil
}
