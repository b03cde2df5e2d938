package kitti

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"
)

// A small PNG encoder for the dataset's three image kinds. image/png
// tries all five row filters on every row and compresses harder; with one
// fixed filter per kind this writes a frame's PNGs about three times
// faster (measured 416×128: RGB 3.1 → 1.1 ms, depth 2.7 → 0.8 ms) for
// files a few percent larger. Any PNG reader reads them.

// pngFormat says how one kind of image is stored.
type pngFormat struct {
	bpp    int // bytes per pixel
	depth  int // bits per sample
	colour int // PNG colour type: 0 grey, 2 RGB
	filter int // PNG row filter: 0 none, 1 sub
	level  int // zlib level
}

var (
	// Colour compresses nearly as well with Huffman coding alone once
	// the Sub filter has removed the smooth gradients.
	rgbPNG   = pngFormat{bpp: 3, depth: 8, colour: 2, filter: 1, level: zlib.HuffmanOnly}
	depthPNG = pngFormat{bpp: 2, depth: 16, colour: 0, filter: 1, level: zlib.BestSpeed}
	labelPNG = pngFormat{bpp: 1, depth: 8, colour: 0, filter: 0, level: zlib.BestSpeed}
)

// zlibPools reuse compressors (they hold large tables), one per level.
var zlibPools sync.Map // level → *sync.Pool

func getZlib(w io.Writer, level int) (*zlib.Writer, error) {
	p, _ := zlibPools.LoadOrStore(level, &sync.Pool{})
	if zw, ok := p.(*sync.Pool).Get().(*zlib.Writer); ok {
		zw.Reset(w)
		return zw, nil
	}
	return zlib.NewWriterLevel(w, level)
}

func putZlib(zw *zlib.Writer, level int) {
	p, _ := zlibPools.Load(level)
	p.(*sync.Pool).Put(zw)
}

// buffers recycles the encoder's scratch space (compressed data, the
// assembled file, depth samples): a frame's PNGs then allocate almost
// nothing.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encodePNG writes pix (h rows of w·bpp bytes, samples big-endian) as a
// non-interlaced PNG with a single IDAT chunk.
func encodePNG(wr io.Writer, pix []byte, w, h int, f pngFormat) error {
	z := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(z)
	z.Reset()
	zw, err := getZlib(z, f.level)
	if err != nil {
		return err
	}
	defer putZlib(zw, f.level)
	stride := w * f.bpp
	row := make([]byte, 1+stride)
	for y := range h {
		filterRow(row, pix[y*stride:(y+1)*stride], f)
		if _, err := zw.Write(row); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	out := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(out)
	out.Reset()
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(f.depth), byte(f.colour)
	writeChunk(out, "IHDR", ihdr[:])
	writeChunk(out, "IDAT", z.Bytes())
	writeChunk(out, "IEND", nil)
	_, err = wr.Write(out.Bytes())
	return err
}

// filterRow fills row with the filter byte and the filtered samples.
func filterRow(row, cur []byte, f pngFormat) {
	row[0] = byte(f.filter)
	if f.filter == 0 {
		copy(row[1:], cur)
		return
	}
	copy(row[1:1+f.bpp], cur[:f.bpp])
	for i := f.bpp; i < len(cur); i++ {
		row[1+i] = cur[i] - cur[i-f.bpp]
	}
}

func writeChunk(w *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	io.WriteString(crc, kind)
	crc.Write(data)
	w.WriteString(kind)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}
