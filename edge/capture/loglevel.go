package capture

// #cgo pkg-config: opencv4
// #cgo CXXFLAGS: -std=c++11
// #include "loglevel.h"
import "C"

import "os"

// QuietOpenCV limits OpenCV's logging to errors unless the user chose a
// level with OPENCV_LOG_LEVEL. OpenCV reads that variable when it loads,
// before main runs, so setting the variable from Go would be too late.
// (GStreamer warns about harmless things, such as a live source having no
// duration.)
func QuietOpenCV() {
	if os.Getenv("OPENCV_LOG_LEVEL") == "" {
		C.xd_opencv_log_errors_only()
	}
}
