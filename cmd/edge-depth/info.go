package main

import "errors"

// printInfo is filled in when the ONNX Runtime package lands.
func printInfo(o options) error {
	if o.model == "" {
		return errors.New("--info needs --model FILE")
	}
	return errors.New("--info: not available yet")
}
