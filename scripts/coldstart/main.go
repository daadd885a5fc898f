// Command coldstart times process start to first HTTP 200, for scripts/bench.
//
//	coldstart -n 9 -port 18900 -path / -- CMD ARGS...   ({PORT} in ARGS is replaced)
//
// Each run takes the next port, starts the command, asks for the path over a new
// connection every 200 µs until a 200 arrives, records the time since just before the
// process was started, then stops it (SIGTERM, SIGKILL after 3 s). The first run is not
// counted (it warms the page cache). It prints the median, minimum and maximum in ms.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 9, "timed runs")
	port := flag.Int("port", 18900, "first port; each run takes the next")
	path := flag.String("path", "/", "path to ask for")
	timeout := flag.Duration("timeout", 30*time.Second, "give up on a run after this long")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: coldstart [-n N] [-port P] [-path /] -- CMD ARGS... ({PORT} is replaced)")
		os.Exit(2)
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var runs []float64
	for i := 0; i <= *n; i++ {
		p := strconv.Itoa(*port + i)
		args := slices.Clone(flag.Args())
		for j := range args {
			args[j] = strings.ReplaceAll(args[j], "{PORT}", p)
		}
		d, err := run(client, args, "http://127.0.0.1:"+p+*path, *timeout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "coldstart:", err)
			os.Exit(1)
		}
		if i > 0 {
			runs = append(runs, d.Seconds()*1000)
		}
	}
	slices.Sort(runs)
	fmt.Printf("%.1f %.1f %.1f\n", runs[len(runs)/2], runs[0], runs[len(runs)-1])
}

func run(client *http.Client, args []string, url string, timeout time.Duration) (time.Duration, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	for time.Since(start) < timeout {
		select {
		case <-exited:
			return 0, fmt.Errorf("%s exited before answering", args[0])
		default:
		}
		if res, err := client.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return 0, fmt.Errorf("%s: no 200 from %s within %v", args[0], url, timeout)
}
