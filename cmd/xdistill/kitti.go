package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xdistill/edge-depth/internal/data/kitti"
	"github.com/xdistill/edge-depth/internal/progress"
)

func newKITTICmd() *cobra.Command {
	cmd := &cobra.Command{Use: "kitti", Short: "KITTI raw helpers"}
	var root, split, out, value string
	export := &cobra.Command{
		Use:   "export-gt",
		Short: "Project velodyne scans to depth PNGs (Monodepth2's Eigen ground truth)",
		Long: `For every frame of the split, projects <drive>/velodyne_points/data/*.bin into
the rectified left colour camera (calib_velo_to_cam.txt, calib_cam_to_cam.txt)
exactly as Monodepth2's export_gt_depth.py does for the eigen split, and writes
OUT/<date>/<drive>/proj_depth/groundtruth/image_02/*.png (uint16, metres×256),
which xdistill eval --protocol kitti reads (OUT defaults to --data; give
eval --gt OUT otherwise).

--depth-value velodyne-x (the default) stores each LiDAR point's forward
coordinate, as Monodepth2's gt_depths.npz and the published Eigen tables do;
camera-z stores the camera-frame depth, ~0.27 m less.

Do not export into a tree that holds KITTI's annotated depth maps (the
eigen_benchmark ground truth) at the same paths: give --out another folder.`,
		Example: `  xdistill kitti export-gt --data /data/kitti --split splits/eigen/test_files.txt
  xdistill kitti export-gt --data /data/kitti --split splits/eigen/test_files.txt --out /data/eigen-gt`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := kitti.ParseDepthValue(value)
			if err != nil {
				return fmt.Errorf("--depth-value: %w", err)
			}
			entries, err := kitti.ReadSplit(split)
			if err != nil {
				return err
			}
			if out == "" {
				out = root
			}
			bar := progress.New(cmd.ErrOrStderr(), "export-gt", len(entries))
			for _, e := range entries {
				if _, err := kitti.ExportGT(root, out, e, v); err != nil {
					return err
				}
				bar.Add(1)
			}
			bar.Finish()
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d ground-truth depth maps (%s) under %s\n", len(entries), v, out)
			return nil
		},
	}
	f := export.Flags()
	f.StringVar(&root, "data", "", "KITTI raw root (with <date>/ folders)")
	f.StringVar(&split, "split", "", "split file, e.g. Monodepth2's splits/eigen/test_files.txt")
	f.StringVar(&out, "out", "", "where the PNG tree goes (default: --data, beside the frames)")
	f.StringVar(&value, "depth-value", "velodyne-x", "velodyne-x (Monodepth2's ground truth) or camera-z")
	export.MarkFlagRequired("data")
	export.MarkFlagRequired("split")
	cmd.AddCommand(export)
	return cmd
}
