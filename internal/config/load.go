package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"
)

// EnvPrefix prefixes environment overrides: XDISTILL_TRAIN_STEPS=100.
const EnvPrefix = "XDISTILL"

// Options says where a Load looks besides the defaults.
type Options struct {
	File  string            // YAML config file; "" for none
	Flags *pflag.FlagSet    // bound flags; only flags the user set override
	Bind  map[string]string // flag name → config key, e.g. "steps" → "train.steps"
	Sets  []string          // "key=value" overrides (--set), the highest precedence
}

// Load builds a Config from defaults, the file, the environment, flags and
// --set overrides, in rising precedence, then validates it.
func Load(opts Options) (Config, error) {
	v := viper.New()
	known := map[string]bool{}
	for key, val := range flatten(Default()) {
		v.SetDefault(key, val)
		known[key] = true
	}
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	org := origin{opts: opts}
	if opts.File != "" {
		keys, err := readFile(v, opts.File, known)
		if err != nil {
			return Config{}, err
		}
		org.fileKeys = keys
	}
	if err := bindFlags(v, opts); err != nil {
		return Config{}, err
	}
	for _, s := range opts.Sets {
		key, val, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !ok || !known[key] {
			return Config{}, fmt.Errorf("--set %q: want key=value with a known key (%s)", s, suggest(key, known))
		}
		v.Set(key, strings.TrimSpace(val))
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		return Config{}, org.explain(err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, org.explain(err)
	}
	return c, nil
}

// readFile reads the YAML file into v and returns the keys it sets.
func readFile(v *viper.Viper, path string, known map[string]bool) (map[string]bool, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	var tree map[string]any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("config %s: not valid YAML: %w", path, err)
	}
	var unknown []string
	keys := map[string]bool{}
	for _, key := range leafKeys(tree, "") {
		keys[key] = true
		if !known[key] {
			unknown = append(unknown, key)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("config %s: unknown key %q (%s)", path, unknown[0], suggest(unknown[0], known))
	}
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return keys, nil
}

func bindFlags(v *viper.Viper, opts Options) error {
	for flag, key := range opts.Bind {
		if opts.Flags == nil {
			return errors.New("config: flag bindings given without a flag set")
		}
		f := opts.Flags.Lookup(flag)
		if f == nil {
			return fmt.Errorf("config: no flag --%s to bind to %s", flag, key)
		}
		if err := v.BindPFlag(key, f); err != nil {
			return fmt.Errorf("config: bind --%s: %w", flag, err)
		}
	}
	return nil
}

// leafKeys lists the dotted paths of a YAML tree's leaves; a section given
// a scalar is reported as its own key so it fails as unknown or mistyped.
func leafKeys(tree map[string]any, prefix string) []string {
	var keys []string
	for k, val := range tree {
		path := prefix + strings.ToLower(k)
		if sub, ok := val.(map[string]any); ok {
			keys = append(keys, leafKeys(sub, path+".")...)
			continue
		}
		keys = append(keys, path)
	}
	return keys
}

// flatten turns a Config into dotted key → value pairs for viper defaults.
func flatten(c Config) map[string]any {
	out := map[string]any{}
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			name := prefix + f.Tag.Get("mapstructure")
			if f.Type.Kind() == reflect.Struct {
				walk(v.Field(i), name+".")
				continue
			}
			out[name] = v.Field(i).Interface()
		}
	}
	walk(reflect.ValueOf(c), "")
	return out
}

// suggest names the known keys of the same section, to fix a typo quickly.
func suggest(key string, known map[string]bool) string {
	section, _, _ := strings.Cut(key, ".")
	var same []string
	for k := range known {
		if strings.HasPrefix(k, section+".") {
			same = append(same, k)
		}
	}
	if len(same) == 0 {
		return "sections are data, model, train, distill, runtime"
	}
	sort.Strings(same)
	return "known keys here: " + strings.Join(same, ", ")
}

// Diff lists the keys whose values differ between a and b, as
// "key: a → b", sorted; keys in ignore are skipped.
func Diff(a, b Config, ignore ...string) []string {
	fa, fb := flatten(a), flatten(b)
	var out []string
	for k, va := range fa {
		if slices.Contains(ignore, k) || reflect.DeepEqual(va, fb[k]) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: %v → %v", k, va, fb[k]))
	}
	slices.Sort(out)
	return out
}
