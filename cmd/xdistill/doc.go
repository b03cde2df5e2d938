// Command xdistill is the workstation CLI: synthetic data, training,
// evaluation, export and calibration of X-Distill depth networks.
//
// May import every stage and internal/ package; nothing imports it.
package main
