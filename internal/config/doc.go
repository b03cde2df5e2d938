// Package config is the project's configuration schema and loader: a YAML
// file (configs/*.yaml), environment variables (XDISTILL_SECTION_KEY) and
// command-line flags, in rising order of precedence. Unknown keys in a file
// are an error that names the key, never silently ignored.
//
// May import viper and yaml only; any stage may import it, and it imports no
// stage.
package config
