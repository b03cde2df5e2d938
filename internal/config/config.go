package config

// Config is everything a run needs. Field tags are the YAML/viper keys.
type Config struct {
	Data    Data    `mapstructure:"data"`
	Model   Model   `mapstructure:"model"`
	Train   Train   `mapstructure:"train"`
	Distill Distill `mapstructure:"distill"`
	Runtime Runtime `mapstructure:"runtime"`
}

// Data says where frames come from and at what size the network sees them.
type Data struct {
	Format  string `mapstructure:"format"`  // synthetic | kitti | custom
	Root    string `mapstructure:"root"`    // dataset root (KITTI raw layout)
	Splits  string `mapstructure:"splits"`  // folder with {train,val,test}_files.txt
	Width   int    `mapstructure:"width"`   // network input width, multiple of 32
	Height  int    `mapstructure:"height"`  // network input height, multiple of 32
	Workers int    `mapstructure:"workers"` // loader goroutines; 0 = number of cores
	// Synthetic world used when format is synthetic and root is absent.
	SynthSeed      int    `mapstructure:"synth_seed"`
	SynthSequences int    `mapstructure:"synth_sequences"`
	SynthFrames    int    `mapstructure:"synth_frames"`
	SynthStyle     string `mapstructure:"synth_style"`
}

// Model is the depth (and pose) network architecture.
type Model struct {
	Encoder  string  `mapstructure:"encoder"`   // resnet18 | resnet50
	Width    float64 `mapstructure:"width"`     // channel multiplier (1 = the paper's ResNet)
	Padding  string  `mapstructure:"padding"`   // reflect | zero
	MinDepth float64 `mapstructure:"min_depth"` // metres
	MaxDepth float64 `mapstructure:"max_depth"` // metres
	Scales   int     `mapstructure:"scales"`    // output scales used in the loss
	Weights  string  `mapstructure:"weights"`   // optional: a torchvision .pth (both encoders) or a built-in teacher run dir (depth encoder)
	// InitDepth is the depth the disparity heads predict before training
	// (their bias is set to it); 0 leaves the bias at zero, Monodepth2's
	// sigmoid 0.5, i.e. about 2/max_disp.
	InitDepth float64 `mapstructure:"init_depth"`
	// PoseTranslationScale multiplies the pose net's raw translation;
	// 0 = Monodepth2's 0.01. With init_depth near metric scene depth,
	// ~1 m per frame must be reachable in a few dozen steps.
	PoseTranslationScale float64 `mapstructure:"pose_translation_scale"`
	// InitMotion is the forward motion per frame (in init_depth's units)
	// the pose net predicts before training; 0 = no motion.
	InitMotion float64 `mapstructure:"init_motion"`
}

// Train is the optimisation and the self-supervised loss.
type Train struct {
	Device string `mapstructure:"device"` // auto | cpu | cuda
	Seed   int64  `mapstructure:"seed"`
	// Threads is libtorch's CPU thread count per replica (0 = the cores
	// shared out among the replicas). Float reductions depend on it in the
	// last bits; 1 makes runs bit-exact.
	Threads int `mapstructure:"threads"`
	// Replicas splits each batch across this many copies of the networks,
	// each on its own OS thread, and averages their gradients (data
	// parallelism on one machine's cores). On a small CPU model two
	// 1-thread replicas outrun one 2-thread model; BatchNorm then sees
	// batch_size/replicas samples. CPU only; 1 = off.
	Replicas     int     `mapstructure:"replicas"`
	BatchSize    int     `mapstructure:"batch_size"`
	Steps        int     `mapstructure:"steps"`
	LearningRate float64 `mapstructure:"learning_rate"`
	LRDecayEvery int     `mapstructure:"lr_decay_every"` // steps between ×LRDecay
	LRDecay      float64 `mapstructure:"lr_decay"`
	// PoseLRScale multiplies the learning rate of the pose network
	// (1 = one rate for all, as Monodepth2).
	PoseLRScale float64 `mapstructure:"pose_lr_scale"`
	SSIMWeight  float64 `mapstructure:"ssim_weight"`
	Smoothness  float64 `mapstructure:"smoothness"`
	AutoMask    bool    `mapstructure:"automask"`
	// Multiscale is where each decoder scale's photometric loss is taken:
	// "full" upsamples its disparity to the input size (Monodepth2);
	// "pyramid" compares images downsampled to the scale's own size
	// (Monodepth, SfMLearner), whose coarse levels see large motions as
	// small ones, and costs less.
	Multiscale      string  `mapstructure:"multiscale"`
	ColorJitter     bool    `mapstructure:"color_jitter"`
	FlipProb        float64 `mapstructure:"flip_prob"`
	Out             string  `mapstructure:"out"` // run directory
	CheckpointEvery int     `mapstructure:"checkpoint_every"`
	LogEvery        int     `mapstructure:"log_every"`
	// SnapshotEvery keeps the weights every this many steps in
	// RUN/snapshots/ (0 = none): learning curves are scored from them.
	SnapshotEvery int `mapstructure:"snapshot_every"`
	// GTPose replaces the pose network by the dataset's ground-truth poses
	// (synthetic world: poses.txt). A diagnostic: it separates learning
	// depth from learning ego-motion.
	GTPose bool `mapstructure:"gt_pose"`
}

// Distill is the X-Distill cross-task distillation.
type Distill struct {
	Lambda            float64 `mapstructure:"lambda"`   // 0 = baseline Monodepth2
	Grouping          string  `mapstructure:"grouping"` // default | none | path/to/groups.yaml
	Teacher           string  `mapstructure:"teacher"`  // labels | builtin | path/to/seg.onnx
	TranslatorWidth   int     `mapstructure:"translator_width"`
	TranslatorLayers  int     `mapstructure:"translator_layers"`
	TranslatorScales  int     `mapstructure:"translator_scales"`
	TeacherLabelCache string  `mapstructure:"teacher_label_cache"`
	// The built-in teacher (teacher: builtin): this ONNX model, trained on
	// the dataset's label PNGs (`xdistill teacher train`) when absent,
	// labels the train split into its cache.
	TeacherModel string  `mapstructure:"teacher_model"`
	TeacherSteps int     `mapstructure:"teacher_steps"` // training steps when it is trained here
	TeacherSize  string  `mapstructure:"teacher_size"`  // its input WxH; "" = data.width×height
	TeacherWidth float64 `mapstructure:"teacher_width"` // its encoder's channel multiplier
	// StartStep is the first step whose distillation gradient reaches the
	// depth net; before it the translator learns to read the (detached)
	// disparity, so the depth net is shaped by photometry first.
	StartStep int `mapstructure:"start_step"`
	// RampSteps raises λ linearly over this many steps from start_step
	// (λ/ramp_steps at start_step, full λ from start_step+ramp_steps−1;
	// 0 = at once), so the term grows in after the photometric loss has
	// shaped the depth.
	RampSteps int `mapstructure:"ramp_steps"`
	// Input is what the translator reads: "disparity" (the sigmoid
	// output, as first shipped), "scale_free" (the disparity 1/depth over
	// its per-image mean, as Monodepth2 normalises it for smoothness) or
	// "log_depth" (log depth minus its per-image mean). Both scale-free
	// inputs read the same for a scene scaled in depth, so the translator
	// cannot read classes off absolute levels.
	Input string `mapstructure:"input"`
	// Coords adds the pixel's normalised row and column as two more input
	// channels: with them the translator can tell a ground plane (depth
	// growing with the row) from a level that merely matches the road's.
	Coords bool `mapstructure:"coords"`
	// TranslatorDownsample reads the disparity averaged down by this
	// factor (1, 2 or 4; it must divide the data size) and scores it
	// against labels subsampled alike: 2 costs the translator a quarter of
	// the pixels.
	TranslatorDownsample int `mapstructure:"translator_downsample"`
}

// Runtime is where native libraries are found.
type Runtime struct {
	ONNXRuntimeLib string `mapstructure:"onnxruntime_lib"`
}

// Default is the CPU-sized synthetic configuration; configs/synthetic.yaml
// spells the same values out with comments.
func Default() Config {
	return Config{
		Data: Data{Format: "synthetic", Root: "data/synthetic", Width: 416, Height: 128,
			SynthSeed: 1, SynthSequences: 8, SynthFrames: 100, SynthStyle: "default"},
		Model: Model{Encoder: "resnet18", Width: 1, Padding: "reflect", MinDepth: 0.1, MaxDepth: 100, Scales: 4},
		Train: Train{Device: "auto", Seed: 1, Replicas: 1, BatchSize: 12, Steps: 20000, LearningRate: 1e-4,
			LRDecayEvery: 15000, LRDecay: 0.1, PoseLRScale: 1, SSIMWeight: 0.85, Smoothness: 1e-3, AutoMask: true, Multiscale: "full",
			ColorJitter: true, FlipProb: 0.5, Out: "runs/latest", CheckpointEvery: 500, LogEvery: 10},
		Distill: Distill{Lambda: 0, Grouping: "default", Teacher: "labels",
			TranslatorWidth: 16, TranslatorLayers: 3, TranslatorScales: 1, Input: "disparity", TranslatorDownsample: 1,
			TeacherModel: "models/teacher.onnx", TeacherSteps: 300, TeacherSize: "192x64", TeacherWidth: 0.5},
	}
}
