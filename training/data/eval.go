package data

// EvalSample is one test image: the network input (float32 CHW in [0, 1]
// at the training size) and the ground truth at its own size.
type EvalSample struct {
	Image  []float32
	GT     []float32 // metres, 0 = no data; GTW×GTH
	Labels []uint8   // optional Cityscapes trainIds, same size as GT
	GTW    int
	GTH    int
}

// EvalSet gives test samples by index.
type EvalSet interface {
	Len() int
	Size() (w, h int) // network input size
	LoadEval(i int) (EvalSample, error)
}
