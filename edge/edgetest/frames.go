package edgetest

import (
	"fmt"
	"path/filepath"

	"gocv.io/x/gocv"

	"github.com/xdistill/edge-depth/edge/capture"
	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/data/synth"
)

// World renders frames of one synthetic drive at w×h.
func World(seed uint64, frames, w, h int) *synth.World {
	return synth.NewWorld(seed, synth.StyleDefault, frames, w, h)
}

// BGR converts a frame's RGB to OpenCV's byte order.
func BGR(rgb []uint8) []byte {
	out := make([]byte, len(rgb))
	for i := 0; i < len(rgb); i += 3 {
		out[i], out[i+1], out[i+2] = rgb[i+2], rgb[i+1], rgb[i]
	}
	return out
}

// Video writes the drive's frames to path (.avi: MJPG, .mp4: mp4v).
func Video(path string, world *synth.World, fps float64) error {
	w, h := world.Cam.Width, world.Cam.Height
	vw, err := capture.NewWriter(path, fps, w, h)
	if err != nil {
		return err
	}
	fr := synth.NewFrame(w, h)
	for f := range world.Frames {
		world.RenderInto(fr, f, 0)
		m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, BGR(fr.RGB))
		if err != nil {
			vw.Abort()
			return err
		}
		err = vw.Write(m)
		m.Close()
		if err != nil {
			vw.Abort()
			return err
		}
	}
	return vw.Close()
}

// Images writes frames as PNGs (name 000000.png, …) into dir; rgbOf may
// replace a frame's colours (nil: the rendered image).
func Images(dir string, world *synth.World, rgbOf func(*synth.Frame) []uint8) error {
	w, h := world.Cam.Width, world.Cam.Height
	fr := synth.NewFrame(w, h)
	for f := range world.Frames {
		world.RenderInto(fr, f, 0)
		rgb := fr.RGB
		if rgbOf != nil {
			rgb = rgbOf(fr)
		}
		if err := kitti.WriteRGB(filepath.Join(dir, fmt.Sprintf("%06d.png", f)), rgb, w, h); err != nil {
			return err
		}
	}
	return nil
}
