package onnxgraph

import (
	"fmt"
	"os"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/xdistill/edge-depth/internal/fsutil"
	"github.com/xdistill/edge-depth/internal/onnx/pb"
)

// SetMetadata replaces the model's metadata_props with meta, sorted by key
// so the same model always serialises to the same bytes.
func (m *Model) SetMetadata(meta map[string]string) {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m.Proto.MetadataProps = nil
	for _, k := range keys {
		m.Proto.MetadataProps = append(m.Proto.MetadataProps,
			&onnxpb.StringStringEntryProto{Key: proto.String(k), Value: proto.String(meta[k])})
	}
}

// SetMeta sets one metadata key, keeping the others.
func (m *Model) SetMeta(key, value string) {
	meta := m.Metadata()
	meta[key] = value
	m.SetMetadata(meta)
}

// Metadata returns the model's metadata_props as a map.
func (m *Model) Metadata() map[string]string {
	out := make(map[string]string, len(m.Proto.MetadataProps))
	for _, p := range m.Proto.MetadataProps {
		out[p.GetKey()] = p.GetValue()
	}
	return out
}

// Marshal validates the model and serialises it deterministically, with
// the graph as the last field (protobuf allows any field order). The graph
// is length-delimited, so a file cut anywhere either ends inside it (a
// decode error) or lacks it: a truncated file can never parse as a smaller
// valid model, as it could if the cut fell between two metadata_props
// entries written after the graph.
func (m *Model) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	opts := proto.MarshalOptions{Deterministic: true}
	g := m.Proto.Graph
	m.Proto.Graph = nil // not concurrency-safe; a Model is not shared while building
	head, err := opts.Marshal(m.Proto)
	m.Proto.Graph = g
	if err != nil {
		return nil, err
	}
	return opts.MarshalAppend(head, &onnxpb.ModelProto{Graph: g})
}

// Save writes the model atomically: readers see the old file or the whole
// new one, never a half-written model.
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
		return nil, fmt.Errorf("load onnx: %w", err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("load onnx %s: %w", path, err)
	}
	return m, nil
}

// ReadMetadata returns the metadata_props of the model file at path.
func ReadMetadata(path string) (map[string]string, error) {
	m, err := Load(path)
	if err != nil {
		return nil, err
	}
	return m.Metadata(), nil
}

// Parse decodes a serialised model. Protobuf accepts many byte strings
// (a file cut at a field boundary decodes cleanly), so a model must also
// have a graph, an IR version, an opset, and initializers whose raw data
// fits their shapes.
func Parse(data []byte) (*Model, error) {
	var p onnxpb.ModelProto
	if err := proto.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%w (%d bytes; truncated or another format?): %v", errNotModel, len(data), err)
	}
	if p.Graph == nil || len(p.OpsetImport) == 0 || p.GetIrVersion() == 0 {
		return nil, fmt.Errorf("%w: no graph, IR version or opset (%d bytes; truncated or another format?)", errNotModel, len(data))
	}
	m := &Model{Proto: &p, names: map[string]int{}}
	g := p.Graph
	for _, v := range g.Input {
		m.names[v.GetName()]++
	}
	for _, t := range g.Initializer {
		m.names[t.GetName()]++
		if err := checkRaw(t); err != nil {
			return nil, err
		}
	}
	for _, n := range g.Node {
		m.names[n.GetName()]++
		for _, o := range n.Output {
			m.names[o]++
		}
	}
	return m, nil
}
