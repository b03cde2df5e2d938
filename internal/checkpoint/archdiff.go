package checkpoint

import (
	"fmt"
	"strings"
)

// Diff lists the fields that make b another network than a, as
// "field a → b" in config terms, for messages (empty: same network).
func (a Arch) Diff(b Arch) []string {
	var out []string
	add := func(name string, x, y any) {
		if x != y {
			out = append(out, fmt.Sprintf("%s %v → %v", name, x, y))
		}
	}
	add("model.encoder", a.Encoder, b.Encoder)
	add("model.width", a.WidthMultiplier, b.WidthMultiplier)
	add("data.width×height", fmt.Sprintf("%dx%d", a.InputWidth, a.InputHeight), fmt.Sprintf("%dx%d", b.InputWidth, b.InputHeight))
	add("model.padding", a.Padding, b.Padding)
	add("model.scales", len(a.Scales), len(b.Scales))
	return out
}

// DiffText is Diff joined for a message.
func (a Arch) DiffText(b Arch) string { return strings.Join(a.Diff(b), "; ") }
