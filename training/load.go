package training

import (
	"fmt"

	"github.com/sugarme/gotch"

	"github.com/xdistill/edge-depth/internal/checkpoint"
	"github.com/xdistill/edge-depth/internal/config"
)

// LoadModel rebuilds the networks a run's checkpoint describes and loads
// its weights. A checkpoint of an unknown architecture or with missing or
// mis-shaped tensors is refused.
func LoadModel(runDir string, device gotch.Device) (*Model, *checkpoint.Loaded, error) {
	ck, err := checkpoint.LoadRun(runDir)
	if err != nil {
		return nil, nil, err
	}
	a := ck.Record.Arch
	mc := config.Model{Encoder: a.Encoder, Width: a.WidthMultiplier, Padding: a.Padding,
		MinDepth: a.MinDepth, MaxDepth: a.MaxDepth, Scales: max(1, len(a.Scales))}
	if mc.Width == 0 {
		mc.Width = 1
	}
	if mc.Padding == "" {
		mc.Padding = "reflect"
	}
	m, err := NewModel(mc, device)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", ck.Dir, err)
	}
	if err := m.LoadWeights(ck.Weights); err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", ck.Dir, err)
	}
	return m, ck, nil
}
