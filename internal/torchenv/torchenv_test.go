package torchenv

import (
	"slices"
	"strings"
	"testing"
)

func TestMissingLeavesUserSettingsAlone(t *testing.T) {
	for _, kv := range Vars {
		k, _, _ := strings.Cut(kv, "=")
		t.Setenv(k, "")
	}
	if got := Missing(); !slices.Equal(got, Vars) {
		t.Errorf("nothing set: Missing() = %v, want all of %v", got, Vars)
	}
	t.Setenv("OMP_WAIT_POLICY", "ACTIVE")
	for _, kv := range Missing() {
		if k, _, _ := strings.Cut(kv, "="); k == "OMP_WAIT_POLICY" {
			t.Errorf("OMP_WAIT_POLICY set by the user, still listed: %v", Missing())
		}
	}
	if n := len(Missing()); n != len(Vars)-1 {
		t.Errorf("one variable set: %d missing, want %d", n, len(Vars)-1)
	}
}
