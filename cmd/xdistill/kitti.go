package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/xdistill/edge-depth/kitti"
	"github.com/xdistill/edge-depth/progress"
)

func init() { subcommands = append(subcommands, newKITTICmd) }

func newKITTICmd() *cobra.Command {
	cmd := &cobra.Command{Use: "kitti", Short: "KITTI raw helpers"}
	var root, split string
	export := &cobra.Command{
		Use:   "export-gt",
		Short: "Project velodyne scans to depth PNGs (Monodepth2's Eigen ground truth) beside the frames",
		Long: `For every frame of the split, projects <drive>/velodyne_points/data/*.bin into
the rectified left colour camera (calib_velo_to_cam.txt, calib_cam_to_cam.txt)
and writes <drive>/proj_depth/groundtruth/image_02/*.png (uint16, metres×256),
which xdistill eval --protocol kitti reads.`,
		Example: `  xdistill kitti export-gt --data /data/kitti --split splits/eigen/test_files.txt`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			entries, err := kitti.ReadSplit(split)
			if err != nil {
				return err
			}
			bar := progress.New(cmd.ErrOrStderr(), "export-gt", len(entries))
			for _, e := range entries {
				if err := exportGT(root, e); err != nil {
					return err
				}
				bar.Add(1)
			}
			bar.Finish()
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d ground-truth depth maps under %s\n", len(entries), root)
			return nil
		},
	}
	export.Flags().StringVar(&root, "data", "", "KITTI raw root (with <date>/ folders)")
	export.Flags().StringVar(&split, "split", "", "split file, e.g. Monodepth2's splits/eigen/test_files.txt")
	export.MarkFlagRequired("data")
	export.MarkFlagRequired("split")
	cmd.AddCommand(export)
	return cmd
}

func exportGT(root string, e kitti.Entry) error {
	date := filepath.Join(root, e.Drive.Date)
	P, w, h, err := kitti.VeloToImage(filepath.Join(date, "calib_cam_to_cam.txt"), filepath.Join(date, "calib_velo_to_cam.txt"))
	if err != nil {
		return err
	}
	pts, err := kitti.ReadVelodyne(e.Drive.VelodynePath(root, e.Frame))
	if err != nil {
		return err
	}
	out := e.Drive.DepthPath(root, e.Frame)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return kitti.WriteDepth(out, kitti.ProjectDepth(pts, P, w, h), w, h)
}
