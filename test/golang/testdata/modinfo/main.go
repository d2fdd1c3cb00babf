// Ground truth for the build-info parser tests: reads a JSON array of {"unquote": s} or
// {"modinfo": s} cases on stdin and writes, for each, what strconv.Unquote or
// runtime/debug.ParseBuildInfo makes of it.
package main

import (
	"encoding/json"
	"os"
	"runtime/debug"
	"strconv"
)

type input struct {
	Unquote *string `json:"unquote,omitempty"`
	Modinfo *string `json:"modinfo,omitempty"`
}

type setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type output struct {
	OK       bool      `json:"ok"`
	Value    string    `json:"value,omitempty"`
	Settings []setting `json:"settings,omitempty"`
}

func main() {
	var in []input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := make([]output, 0, len(in))
	for _, c := range in {
		switch {
		case c.Unquote != nil:
			v, err := strconv.Unquote(*c.Unquote)
			out = append(out, output{OK: err == nil, Value: v})
		case c.Modinfo != nil:
			bi, err := debug.ParseBuildInfo(*c.Modinfo)
			o := output{OK: err == nil}
			if err == nil {
				for _, s := range bi.Settings {
					o.Settings = append(o.Settings, setting{s.Key, s.Value})
				}
			}
			out = append(out, o)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
