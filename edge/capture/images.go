package capture

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gocv.io/x/gocv"
)

// imageExts are the still-image files an image folder source reads.
var imageExts = []string{".png", ".jpg", ".jpeg", ".bmp"}

// images is a folder of still images read in name order (KITTI's
// 0000000000.png … sort correctly).
type images struct {
	dir   string
	files []string
	names []string // base names without extension, made once
	next  int
	name  string
	err   error
}

func openImages(dir string) (*images, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open images %s: %w", dir, err)
	}
	im := &images{dir: dir}
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.Type().IsRegular() && slices.Contains(imageExts, ext) {
			im.files = append(im.files, filepath.Join(dir, e.Name()))
		}
	}
	if len(im.files) == 0 {
		return nil, fmt.Errorf("open images %s: no %s files", dir, strings.Join(imageExts, "/"))
	}
	slices.Sort(im.files)
	for _, f := range im.files {
		im.names = append(im.names, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
	}
	return im, nil
}

// read decodes the next image into dst (replacing dst's memory: a decoded
// image is a new OpenCV buffer anyway). An image that does not decode
// fails this read (err says which); the next read goes on after it.
func (im *images) read(dst *gocv.Mat) bool {
	im.err = nil
	if im.next >= len(im.files) {
		return false
	}
	path := im.files[im.next]
	m := gocv.IMRead(path, gocv.IMReadColor)
	if m.Empty() {
		m.Close()
		im.err = fmt.Errorf("image %s: OpenCV cannot decode it", path)
		im.next++
		return false
	}
	dst.Close()
	*dst = m
	im.name = im.names[im.next]
	im.next++
	return true
}
