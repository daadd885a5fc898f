package cluster

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestSchedulerStep(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s := newScheduler(time.Second, 1)
	s.add("a", t0)
	s.add("b", t0)
	if got := s.take(t0.Add(-time.Millisecond)); len(got) != 0 {
		t.Fatalf("due before join: %v", got)
	}
	// A joining peer is synced within the stagger window (a fifth of the
	// interval), not all at once and not later.
	now := t0.Add(200 * time.Millisecond)
	got := s.take(now)
	slices.Sort(got)
	if fmt.Sprint(got) != "[a b]" {
		t.Fatalf("due after the stagger window: %v", got)
	}
	if again := s.take(now); len(again) != 0 {
		t.Fatalf("a running session was handed out twice: %v", again)
	}
	// Asked for while running: runs again at once after.
	s.urgent("a", now)
	s.finish("a", true, now)
	if got := s.take(now); fmt.Sprint(got) != "[a]" {
		t.Fatalf("urgent during a session: %v", got)
	}
	s.finish("a", true, now)
	if w := s.wait(now); w < 900*time.Millisecond || w > 1100*time.Millisecond {
		t.Fatalf("next full sync in %v, want about the interval", w)
	}
	// Failures back off, but never past the interval.
	prev := time.Duration(0)
	for i := 0; i < 8; i++ {
		s.finish("b", false, now)
		d := s.peers["b"].due.Sub(now)
		if d > 1100*time.Millisecond {
			t.Fatalf("backoff %v past the interval", d)
		}
		if i < 3 && d <= prev {
			t.Fatalf("backoff did not grow: %v after %v", d, prev)
		}
		prev = d
		s.peers["b"].running = true
	}
	s.finish("b", true, now)
	if s.peers["b"].fails != 0 {
		t.Fatal("a success did not reset the backoff")
	}
	// An urgent request moves a scheduled session forward.
	s.urgent("b", now)
	if got := s.take(now); fmt.Sprint(got) != "[b]" {
		t.Fatalf("urgent: %v", got)
	}
	s.remove("a")
	if got := s.take(now.Add(time.Hour)); fmt.Sprint(got) != "[]" {
		t.Fatalf("removed or running peers handed out: %v", got)
	}
}

func TestSchedulerIntervalGrowsPast128Peers(t *testing.T) {
	s := newScheduler(time.Second, 1)
	for i := 0; i < 128; i++ {
		s.add(fmt.Sprint(i), time.Unix(0, 0))
	}
	if s.interval() != time.Second {
		t.Fatal("interval grew below 128 peers")
	}
	for i := 128; i < 512; i++ {
		s.add(fmt.Sprint(i), time.Unix(0, 0))
	}
	if got := s.interval(); got != 3*time.Second {
		t.Fatalf("interval at 512 peers: %v", got)
	}
}
