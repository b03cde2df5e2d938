// Package modelmeta is the contract between the exporter and the edge
// runtime: the metadata_props an exported depth model carries, and their
// validation. It is pure Go so both sides (and tools) can import it.
//
// Standard library only; export, calibration, teacher and edge/ import it.
package modelmeta
