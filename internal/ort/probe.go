package ort

/*
#cgo LDFLAGS: -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The first two members of OrtApiBase; the C API promises they never move.
typedef struct {
	const void *(*GetApi)(uint32_t version);
	const char *(*GetVersionString)(void);
} xd_api_base;

typedef const xd_api_base *(*xd_get_api_base)(void);

enum { XD_OK, XD_DLOPEN, XD_NO_SYMBOL, XD_NO_API };

// xd_probe opens path and asks its OrtApiBase for the given C API version.
// On failure the library is closed again; on success it stays loaded,
// because unloading ONNX Runtime runs its static destructors for nothing:
// Init opens the very same file right after. real receives the file the
// loader picked, which matters for a bare name found on its search path.
static int xd_probe(const char *path, uint32_t api, char *version, size_t vlen, char *real, size_t rlen, char *err, size_t elen) {
	dlerror();
	void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		strncpy(err, e ? e : "dlopen failed", elen - 1);
		return XD_DLOPEN;
	}
	struct link_map *lm = NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name) {
		strncpy(real, lm->l_name, rlen - 1);
	}
	xd_get_api_base get = (xd_get_api_base)dlsym(h, "OrtGetApiBase");
	if (!get) {
		dlclose(h);
		return XD_NO_SYMBOL;
	}
	const xd_api_base *base = get();
	const char *v = (base && base->GetVersionString) ? base->GetVersionString() : NULL;
	if (v) {
		strncpy(version, v, vlen - 1);
	}
	if (!base || !base->GetApi || !base->GetApi(api)) {
		dlclose(h);
		return XD_NO_API;
	}
	return XD_OK;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"
)

// apiVersion is the ONNX Runtime C API that onnxruntime_go v1.27.0 asks
// for (ORT_API_VERSION in its header); ONNX Runtime 1.24 introduced it.
const apiVersion = 24

// library is a probed ONNX Runtime: its version string and the file the
// dynamic loader opened (path itself unless path was a bare name).
type library struct{ version, path string }

// probe checks that path is an ONNX Runtime library offering our C API,
// without touching onnxruntime_go's one-per-process environment, so a bad
// candidate can be reported (or skipped) before Init.
func probe(path string) (library, error) {
	// A bare name (no slash) is left to the dynamic loader's search path.
	if strings.ContainsRune(path, '/') {
		st, err := os.Stat(path)
		if err != nil {
			return library{}, errors.Unwrap(err) // "no such file or directory"; the caller names the path
		}
		if st.IsDir() {
			return library{}, errors.New("is a directory")
		}
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var version, msg [256]C.char
	var real [4096]C.char
	rc := C.xd_probe(cpath, apiVersion, &version[0], C.size_t(len(version)),
		&real[0], C.size_t(len(real)), &msg[0], C.size_t(len(msg)))
	lib := library{version: C.GoString(&version[0]), path: C.GoString(&real[0])}
	if !strings.HasPrefix(lib.path, "/") {
		lib.path = path
	}
	switch rc {
	case C.XD_OK:
		return lib, nil
	case C.XD_DLOPEN:
		return library{}, fmt.Errorf("not a loadable shared library (%s)", dlopenReason(C.GoString(&msg[0]), path))
	case C.XD_NO_SYMBOL:
		return library{}, errors.New("not an ONNX Runtime library (no OrtGetApiBase symbol)")
	default:
		return lib, fmt.Errorf("ONNX Runtime %s lacks C API %d", orUnknown(lib.version), apiVersion)
	}
}

// dlopenReason drops the path that dlerror repeats in front of its reason.
func dlopenReason(msg, path string) string {
	if len(msg) > len(path)+2 && msg[:len(path)+2] == path+": " {
		return msg[len(path)+2:]
	}
	return msg
}

func orUnknown(v string) string {
	if v == "" {
		return "(unknown version)"
	}
	return v
}
