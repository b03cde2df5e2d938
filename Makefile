# X-Distill edge depth. `make help` lists the targets.
#
# Native wiring (see docs/ARCHITECTURE.md, "Native dependencies"):
# - gotch v0.7.0 is built against Debian's libtorch 1.13.1 (CPU) through our
#   compatibility header in native/torchcompat, and its hard-coded CUDA link
#   flags are satisfied by empty linker-script stubs in build/cuda-stubs.
# - With LIBTORCH=/path/to/libtorch (e.g. the libtorch 1.11 CUDA download on a
#   GPU workstation) the real libraries are used and no stubs.

SHELL := /bin/bash
.DEFAULT_GOAL := help

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN      := bin
STUBS    := $(CURDIR)/build/cuda-stubs
COMPAT   := $(CURDIR)/native/torchcompat
CUDA_LIBS := cuda cudart cublas cudnn caffe2_nvrtc nvrtc-builtins nvrtc nvToolsExt c10_cuda torch_cuda

ifdef LIBTORCH
  TORCH_CXXFLAGS := -I$(COMPAT) -I$(LIBTORCH)/include -I$(LIBTORCH)/include/torch/csrc/api/include
  TORCH_LDFLAGS  := -L$(LIBTORCH)/lib -Wl,-rpath,$(LIBTORCH)/lib -L/usr/local/cuda/lib64
  TORCH_STUBS    :=
else
  TORCH_CXXFLAGS := -I$(COMPAT) -I/usr/include/torch/csrc/api/include
  TORCH_LDFLAGS  := -L$(STUBS)
  TORCH_STUBS    := $(STUBS)/.stamp
endif

export CGO_ENABLED := 1
export CGO_CXXFLAGS := $(TORCH_CXXFLAGS) $(CGO_CXXFLAGS_EXTRA)
export CGO_LDFLAGS  := $(TORCH_LDFLAGS) $(CGO_LDFLAGS_EXTRA)
export OPENCV_LOG_LEVEL ?= ERROR
# Idle OpenMP threads sleep instead of spinning: test binaries link libtorch
# without xdistill's re-exec (cmd/xdistill/main.go), and spinning threads
# made libtorch tests up to 20× slower on a busy 2-core machine.
export OMP_WAIT_POLICY ?= PASSIVE
# OpenBLAS's own spinning pool beside libtorch's threads halved training
# speed on a busy machine (internal/torchenv has the numbers).
export OPENBLAS_NUM_THREADS ?= 1
LDFLAGS := -X main.version=$(VERSION)

# Test timeout per package; the whole suite must stay well under 20 min on 2 cores.
TEST_TIMEOUT ?= 15m
TEST_FLAGS   ?=

.PHONY: help deps env build edge-depth test vet fmt proto bench train export demo experiment experiment-screen clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Always runs: the script checks what is present and installs only what is
# missing, so a stale stamp can never hide a removed library.
deps: $(TORCH_STUBS) ## install apt packages, the ONNX Runtime library and Go modules (idempotent)
	@scripts/deps.sh all
	@$(GO) mod download

# Empty linker scripts: `-lcuda` etc. resolve to nothing, so a CPU build
# records no CUDA library. Never used when LIBTORCH is set.
$(STUBS)/.stamp:
	@mkdir -p $(STUBS)
	@for l in $(CUDA_LIBS); do echo "/* empty stub for a CPU-only build of gotch */" > $(STUBS)/lib$$l.so; done
	@touch $@

env: $(TORCH_STUBS) ## print the CGO settings for plain go commands (see README: Development)
	@echo "export CGO_ENABLED=1"
	@echo "export CGO_CXXFLAGS='$(CGO_CXXFLAGS)'"
	@echo "export CGO_LDFLAGS='$(CGO_LDFLAGS)'"
	@echo "export OPENCV_LOG_LEVEL=$(OPENCV_LOG_LEVEL)"
	@echo "export OMP_WAIT_POLICY=$(OMP_WAIT_POLICY)"
	@echo "export OPENBLAS_NUM_THREADS=$(OPENBLAS_NUM_THREADS)"

build: deps ## build bin/xdistill and bin/edge-depth
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/xdistill ./cmd/xdistill
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/edge-depth ./cmd/edge-depth

# edge-depth alone needs only OpenCV and ONNX Runtime (no libtorch, no
# deps.sh): Dockerfile.jetson builds it this way on the Jetson.
edge-depth: ## build bin/edge-depth only (the Jetson runtime; VERSION=… to stamp it)
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/edge-depth ./cmd/edge-depth

test: deps ## run the test suite (real libtorch, OpenCV, ONNX Runtime)
	@echo "test: building gotch's C++ on first run takes ~3 min on 2 cores"
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) test -timeout $(TEST_TIMEOUT) $(TEST_FLAGS) ./...

vet: deps ## go vet
	$(GO) vet ./...

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

proto: deps ## regenerate internal/onnx/pb/ from Debian's onnx.proto
	scripts/gen-proto.sh

CONFIG ?= configs/synthetic.yaml
train: build ## train on the synthetic world (generated if absent), then evaluate; resumes if interrupted
	$(BIN)/xdistill train --config $(CONFIG)

RUN   ?= runs/latest
MODEL ?= models/depth.onnx
export: build ## export the latest run (make train) to models/depth.onnx; RUN=dir MODEL=file to change
	@test -e $(RUN)/checkpoint/record.json -o -e $(RUN)/checkpoint.prev/record.json -o -e $(RUN)/record.json || \
		{ echo "export: no trained run in $(RUN) (no checkpoint/record.json); run \`make train\` first, or make export RUN=path/to/run" >&2; exit 1; }
	$(BIN)/xdistill export --checkpoint $(RUN) --out $(MODEL)

DEMO ?= data/demo
demo: build ## edge-depth on a synthetic drive with models/depth.onnx: live view at http://127.0.0.1:8080/
	@test -e $(MODEL) || { echo "demo: no model at $(MODEL); run \`make train && make export\` first" >&2; exit 1; }
	@mkdir -p $(DEMO)
	@test -e $(DEMO)/drive.mp4 || $(BIN)/xdistill synth --video $(DEMO)/drive.mp4 --sequences 8 --video-sequence 8 --frames 300 --size 640x192
	@echo "demo: watch http://127.0.0.1:8080/ (stats: /stats, /metrics); recording → $(DEMO)/view.mp4, depth PNGs → $(DEMO)/depth/; Ctrl-C stops"
	$(BIN)/edge-depth --video $(DEMO)/drive.mp4 --model $(MODEL) --realtime --camera-height 1.65 \
		--serve 127.0.0.1:8080 --record $(DEMO)/view.mp4 --save-depth $(DEMO)/depth
	@echo "demo: recording in $(DEMO)/view.mp4 (image | depth), metric depth PNGs in $(DEMO)/depth/ (KITTI convention)"

# The ablation at the research budget (configs/research.yaml: 6,800 steps at
# 192x64, about 35-45 min a run on 2 cores). Every run resumes from its own
# checkpoint and a finished run is never retrained, so `make experiment`
# can be stopped and started again; it only adds what is missing.
RESEARCH ?= configs/research.yaml
SEEDS    ?= 1,2,3
ARMS     ?= --arm baseline --arm xdistill
experiment: build ## X-Distill ablation at the research budget: ARMS × SEEDS (hours; resumable) → benchmarks/results/xdistill-research.md
	$(BIN)/xdistill experiment --config $(RESEARCH) --seeds $(SEEDS) $(ARMS)

SCREEN_ARMS ?= --arm baseline --arm xdistill \
	--arm logdepth-coords:distill.input=log_depth,distill.coords=true \
	--arm scalefree:distill.input=scale_free --arm logdepth:distill.input=log_depth \
	--arm ramp:distill.start_step=1700,distill.ramp_steps=1700 --arm allscales:distill.translator_scales=4 \
	--arm pre-baseline:distill.lambda=0,model.width=0.5,model.weights=runs/research/teacher \
	--arm pre-xdistill:model.width=0.5,model.weights=runs/research/teacher
# The pre- arms start the depth encoder from the research teacher's (width
# 0.5, trained by the first X-Distill arm), standing in for ImageNet.
experiment-screen: build ## every X-Distill variant at seed 1, research budget (a few hours; resumable) → benchmarks/results/xdistill-screen.md
	$(BIN)/xdistill experiment --config $(RESEARCH) --seeds 1 --report benchmarks/results/xdistill-screen.md $(SCREEN_ARMS)

bench: deps ## benchmark harness → benchmarks/results/ (~6 min, not part of make test); BENCH_FLAGS=… passes flags
	$(GO) run ./benchmarks/cmd/bench -go $(GO) $(BENCH_FLAGS)

clean: ## remove build outputs (keeps data/, runs/, models/)
	rm -rf $(BIN) build
