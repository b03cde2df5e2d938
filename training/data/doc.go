// Package data is the libtorch-free half of training: the datasets
// (KITTI-layout folders, the built-in teacher's labelled SegSet, test sets
// with ground truth), the host-side Sample and HostBatch, and the Loader
// that reads, flips and colour-jitters batches in parallel, batch k a pure
// function of the seed and k; and a run's training curve (StepLog, the
// lines of RUN/metrics.jsonl, and RUN/loss.png). It can be read and tested
// without gotch. It may import internal/data, internal/format,
// internal/metrics, internal/plot, internal/progress and training/distill;
// it must never import gotch or package training, which owns the tensor
// side (training.Upload turns a HostBatch into tensors), so the arrows run
// one way.
package data
