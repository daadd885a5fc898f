package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// TailEvent is one item of a live tail: a finished request, a console line
// or an exception of a deployment.
type TailEvent struct {
	Type       string    `json:"type"` // "request", "log" or "exception"
	Time       time.Time `json:"time"`
	Node       string    `json:"node,omitempty"`
	Deployment string    `json:"deployment"`
	RequestID  string    `json:"requestId,omitempty"`
	Method     string    `json:"method,omitempty"`
	URL        string    `json:"url,omitempty"`
	Status     int       `json:"status,omitempty"`
	DurationMs float64   `json:"durationMs,omitempty"`
	Level      string    `json:"level,omitempty"`
	Message    string    `json:"message,omitempty"`
	Stack      string    `json:"stack,omitempty"`
}

// TailFilter selects events. Zero fields select everything.
type TailFilter struct {
	Deployment string
	// Status selects requests by status: "500" or a class "5xx".
	Status string
	Method string
	// Sample keeps this fraction of requests (0 < Sample <= 1), chosen by
	// request id so a sampled request keeps all its logs.
	Sample float64
}

func (f TailFilter) match(ev *TailEvent) bool {
	if f.Deployment != "" && ev.Deployment != f.Deployment {
		return false
	}
	if ev.Type == "request" {
		if f.Method != "" && !strings.EqualFold(ev.Method, f.Method) {
			return false
		}
		if f.Status != "" && !statusMatches(f.Status, ev.Status) {
			return false
		}
	}
	if f.Sample > 0 && f.Sample < 1 && ev.RequestID != "" {
		h := fnv.New32a()
		_, _ = h.Write([]byte(ev.RequestID))
		if float64(h.Sum32()%10000) >= f.Sample*10000 {
			return false
		}
	}
	return true
}

func statusMatches(pattern string, status int) bool {
	if len(pattern) == 3 && strings.HasSuffix(pattern, "xx") {
		return strconv.Itoa(status/100) == pattern[:1]
	}
	return pattern == strconv.Itoa(status)
}

// tailHub fans events out to live subscribers. With none, publishing costs
// one atomic load.
type tailHub struct {
	mu   sync.Mutex
	subs map[*tailSub]struct{}
	n    atomic.Int32
	node string
}

type tailSub struct {
	filter  TailFilter
	ch      chan TailEvent
	dropped atomic.Int64
}

func newTailHub() *tailHub { return &tailHub{subs: map[*tailSub]struct{}{}} }

func (h *tailHub) active() bool { return h.n.Load() > 0 }

// subscribe registers a subscriber; cancel removes it.
func (h *tailHub) subscribe(f TailFilter) (*tailSub, func()) {
	s := &tailSub{filter: f, ch: make(chan TailEvent, 1024)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.n.Store(int32(len(h.subs)))
	h.mu.Unlock()
	return s, func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.n.Store(int32(len(h.subs)))
		h.mu.Unlock()
	}
}

// publish delivers ev to every matching subscriber; a slow subscriber loses
// events (counted) rather than slowing requests down.
func (h *tailHub) publish(ev TailEvent) {
	if !h.active() {
		return
	}
	if ev.Node == "" {
		ev.Node = h.node
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !s.filter.match(&ev) {
			continue
		}
		select {
		case s.ch <- ev:
		default:
			s.dropped.Add(1)
		}
	}
}

// tailHandler is a slog.Handler in front of the node's: console lines and
// script errors of deployments also go to the tail.
type tailHandler struct {
	next       slog.Handler
	hub        *tailHub
	deployment string
}

func (t *tailHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return t.next.Enabled(ctx, l) || t.hub.active()
}

func (t *tailHandler) Handle(ctx context.Context, r slog.Record) error {
	if t.hub.active() {
		ev := TailEvent{Type: "log", Time: r.Time, Deployment: t.deployment, Level: strings.ToLower(r.Level.String()), Message: r.Message}
		console, access := false, false
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "deployment":
				if ev.Deployment == "" {
					ev.Deployment = a.Value.String()
				}
			case "source":
				console = a.Value.String() == "console"
			case "request_id":
				ev.RequestID = a.Value.String()
			case "stack":
				ev.Stack = a.Value.String()
			case "error":
				ev.Message += ": " + a.Value.String()
			case "served", "duration":
				access = true // the access line: the tail has its own request events
			}
			return true
		})
		if !console && r.Level >= slog.LevelError {
			ev.Type = "exception"
		}
		if ev.Deployment != "" && !access && r.Message != "request" {
			t.hub.publish(ev)
		}
	}
	if t.next.Enabled(ctx, r.Level) {
		return t.next.Handle(ctx, r)
	}
	return nil
}

func (t *tailHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *t
	for _, a := range attrs {
		if a.Key == "deployment" {
			c.deployment = a.Value.String()
		}
	}
	c.next = t.next.WithAttrs(attrs)
	return &c
}

func (t *tailHandler) WithGroup(name string) slog.Handler {
	c := *t
	c.next = t.next.WithGroup(name)
	return &c
}

// SetNodeName names this node in tail events.
func (n *Node) SetNodeName(name string) { n.tail.node = name }

// Tail subscribes to the node's live events; cancel ends it.
func (n *Node) Tail(f TailFilter) (<-chan TailEvent, func()) {
	s, cancel := n.tail.subscribe(f)
	return s.ch, cancel
}

// serveTail streams tail events as server-sent events.
func serveTail(n *Node) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := TailFilter{Deployment: q.Get("deployment"), Status: q.Get("status"), Method: q.Get("method")}
		if s := q.Get("sample"); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v <= 0 || v > 1 {
				writeError(w, http.StatusBadRequest, "sample must be a fraction in (0, 1]")
				return
			}
			f.Sample = v
		}
		if f.Status != "" && !statusPatternOK(f.Status) {
			writeError(w, http.StatusBadRequest, "status must be a code (500) or a class (5xx)")
			return
		}
		flusher, ok := w.(http.Flusher)
		if !ok {
			writeError(w, http.StatusInternalServerError, "streaming unsupported")
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, ": edgefn tail\n\n")
		flusher.Flush()
		events, cancel := n.Tail(f)
		defer cancel()
		heartbeat := time.NewTicker(15 * time.Second)
		defer heartbeat.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-heartbeat.C:
				fmt.Fprint(w, ": keep-alive\n\n")
			case ev := <-events:
				b, _ := json.Marshal(ev)
				fmt.Fprintf(w, "data: %s\n\n", b)
			}
			flusher.Flush()
		}
	}
}

func statusPatternOK(s string) bool {
	if len(s) != 3 {
		return false
	}
	if strings.HasSuffix(s, "xx") {
		return s[0] >= '1' && s[0] <= '5'
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 100 && n <= 599
}
