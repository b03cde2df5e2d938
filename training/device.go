package training

import (
	"fmt"

	"github.com/sugarme/gotch"
)

// ParseDevice turns a --device value (auto, cpu, cuda) into a gotch device.
// auto picks CUDA when libtorch sees a GPU; cuda fails clearly when it does not.
func ParseDevice(name string) (gotch.Device, error) {
	switch name {
	case "", "auto":
		return gotch.CudaIfAvailable(), nil
	case "cpu":
		return gotch.CPU, nil
	case "cuda":
		if !gotch.CUDA.IsAvailable() {
			return gotch.CPU, fmt.Errorf("device cuda: libtorch sees no CUDA device (this build links %s); use --device cpu or auto", libtorchFlavour())
		}
		return gotch.CudaBuilder(0), nil
	default:
		return gotch.CPU, fmt.Errorf("device %q: want auto, cpu or cuda", name)
	}
}

func libtorchFlavour() string {
	if gotch.CUDA.DeviceCount() > 0 {
		return "a CUDA libtorch"
	}
	return "a CPU-only libtorch or the GPU is unavailable"
}
