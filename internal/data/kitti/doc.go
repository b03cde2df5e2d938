// Package kitti is the on-disk dataset format shared by the synthetic
// world's writer and the training/evaluation loaders: the KITTI raw layout
// with Monodepth2-style split files, plus per-frame ground truth.
//
//	ROOT/<date>/calib_cam_to_cam.txt
//	ROOT/<date>/<date>_drive_NNNN_sync/image_02/data/%010d.png          RGB
//	ROOT/<date>/<date>_drive_NNNN_sync/proj_depth/groundtruth/image_02/%010d.png  uint16 depth·256
//	ROOT/<date>/<date>_drive_NNNN_sync/semantic/image_02/%010d.png      uint8 trainIds
//	ROOT/<date>/<date>_drive_NNNN_sync/poses.txt                        3×4 camera-to-world per line
//	ROOT/splits/{train,val,test}_files.txt                              "<date>/<drive> <frame> l"
//
// Pure Go: may import internal/data/camera and internal/fsutil; any stage
// may import it, and it imports no stage.
package kitti
