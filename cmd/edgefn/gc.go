package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// tuneGC sets the garbage collector for a JS host unless GOGC or GOMEMLIMIT
// are set: goja allocates a lot of short-lived objects, and the default
// GOGC=100 spends a quarter of a request's CPU in GC. A higher GOGC trades
// memory for CPU; the soft memory limit (70% of the machine's or cgroup's
// memory) makes the collector work harder before memory runs out.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if total := memoryLimit(); total > 0 {
			debug.SetMemoryLimit(total / 10 * 7)
		}
	}
}

// memoryLimit returns the cgroup memory limit, or the machine's memory.
func memoryLimit() int64 {
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 {
			return v
		}
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}
