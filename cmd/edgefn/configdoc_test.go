package main

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestConfigDocListsEveryKey: docs/CONFIG.md has a row for every key of the
// node configuration file, under its section, and none that does not exist.
func TestConfigDocListsEveryKey(t *testing.T) {
	src, err := os.ReadFile("../../docs/CONFIG.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	section := ""
	head := regexp.MustCompile("^## `\\[(\\w+)\\]`")
	row := regexp.MustCompile("^\\| (`[a-z_]+`(?:, `[a-z_]+`)*) \\|")
	for _, line := range strings.Split(string(src), "\n") {
		if m := head.FindStringSubmatch(line); m != nil {
			section = m[1]
			continue
		}
		if strings.HasPrefix(line, "## ") {
			section = ""
		}
		if m := row.FindStringSubmatch(line); m != nil && section != "" {
			for _, k := range strings.Split(m[1], ", ") {
				documented[section+"."+strings.Trim(k, "`")] = true
			}
		}
	}
	var keys []string
	ct := reflect.TypeOf(nodeConfig{})
	for i := range ct.NumField() {
		sec := ct.Field(i)
		name := sec.Tag.Get("toml")
		if name == "" {
			continue
		}
		for j := range sec.Type.NumField() {
			if k := sec.Type.Field(j).Tag.Get("toml"); k != "" {
				keys = append(keys, name+"."+k)
			}
		}
	}
	for _, k := range keys {
		if !documented[k] {
			t.Errorf("docs/CONFIG.md has no row for %s", k)
		}
	}
	for k := range documented {
		if !slices.Contains(keys, k) {
			t.Errorf("docs/CONFIG.md documents %s, which the configuration does not have", k)
		}
	}
	if len(keys) < 30 {
		t.Fatalf("found only %d keys in nodeConfig: the test reads the struct wrongly", len(keys))
	}
}
