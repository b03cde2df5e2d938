package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// origin says where a key's value came from, in the precedence Load
// applies: the last --set of it, a flag the user set, an XDISTILL_*
// variable, the config file, else the default.
type origin struct {
	opts     Options
	fileKeys map[string]bool
}

func (o origin) of(key string) string {
	for i := len(o.opts.Sets) - 1; i >= 0; i-- {
		if k, _, _ := strings.Cut(o.opts.Sets[i], "="); strings.TrimSpace(k) == key {
			return "--set " + o.opts.Sets[i]
		}
	}
	for flag, k := range o.opts.Bind {
		if f := o.opts.Flags.Lookup(flag); k == key && f != nil && f.Changed {
			return "--" + flag + " " + f.Value.String()
		}
	}
	env := EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
	if v, ok := os.LookupEnv(env); ok {
		return env + "=" + v
	}
	if o.fileKeys[key] {
		return "config " + o.opts.File
	}
	return "the default"
}

// keyRE finds the config key an error is about: validation errors start
// with it ("train.steps 0: …", "data.width/height …"), decoding errors
// quote it ("cannot parse 'train.steps' as int").
var keyRE = regexp.MustCompile(`'?([a-z_]+\.[a-z_]+)`)

// explain names, for every error in err, where the offending value came
// from, so a bad XDISTILL_* variable or --set is not blamed on the file.
func (o origin) explain(err error) error {
	var parts []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	} else {
		parts = []error{err}
	}
	var out []error
	for _, e := range parts {
		m := keyRE.FindStringSubmatch(e.Error())
		if m == nil {
			out = append(out, fmt.Errorf("config: %w", e))
			continue
		}
		out = append(out, fmt.Errorf("config: %w (from %s)", e, o.of(m[1])))
	}
	return errors.Join(out...)
}
