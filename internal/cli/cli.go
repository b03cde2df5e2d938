package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// ExitUsage is the exit status for a mistake in the command line, as Go's
// flag package and GNU tools use it; 1 stays for failures of the work.
const ExitUsage = 2

// UsageError marks a mistake in the command line (exit status 2).
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// IsUsage reports whether err is a mistake in the command line.
func IsUsage(err error) bool {
	var u UsageError
	return errors.As(err, &u)
}

// boolMarker is what pflag (since v1.0.7) appends to every boolean flag's
// name in help; a boolean flag takes no value in practice, so we drop it.
const boolMarker = "[=true|false]"

// FlagUsages renders fs as pflag's FlagUsages does, except that boolean
// flags read `--verbose`, and the description column closes up to the
// widest name that is left (plus pflag's gap of three spaces).
func FlagUsages(fs *pflag.FlagSet) string {
	lines := strings.Split(fs.FlagUsages(), "\n")
	type split struct{ name, rest string }
	parts := make([]split, len(lines))
	oldCol, newCol := -1, 0
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		if !strings.HasPrefix(trimmed, "-") {
			continue // a continuation line of a long description, or blank
		}
		end := strings.Index(l[len(l)-len(trimmed):], "  ")
		if end < 0 {
			parts[i] = split{name: strings.Replace(l, boolMarker, "", 1)}
			newCol = max(newCol, len(parts[i].name)+3)
			continue
		}
		end += len(l) - len(trimmed)
		col := end + len(l[end:]) - len(strings.TrimLeft(l[end:], " "))
		if oldCol < 0 {
			oldCol = col
		}
		parts[i] = split{name: strings.Replace(l[:end], boolMarker, "", 1), rest: l[col:]}
		newCol = max(newCol, len(parts[i].name)+3)
	}
	var b strings.Builder
	for i, l := range lines {
		switch {
		case parts[i].name != "":
			b.WriteString(parts[i].name)
			if parts[i].rest != "" {
				b.WriteString(strings.Repeat(" ", newCol-len(parts[i].name)))
				b.WriteString(parts[i].rest)
			}
		case oldCol > 0 && strings.TrimSpace(l) != "" && len(l) > oldCol && strings.TrimSpace(l[:oldCol]) == "":
			b.WriteString(strings.Repeat(" ", newCol) + l[oldCol:])
		default:
			b.WriteString(l)
		}
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Group is a titled set of flags in grouped help.
type Group struct {
	Title string
	Flags *pflag.FlagSet
}

// PrintGroups writes each group's flags under its title, as cobra prints
// "Flags:" and "Global Flags:".
func PrintGroups(w io.Writer, groups []Group) {
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n%s", g.Title, FlagUsages(g.Flags))
	}
}
