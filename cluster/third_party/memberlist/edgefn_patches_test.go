package memberlist

import (
	"testing"
	"time"
)

// edgefn's patch: a member becoming suspect, and a suspect member refuting,
// are told to the event delegate through NotifyUpdate, and Node.State
// follows the member's state in every event.
func TestEdgefnSuspectEvents(t *testing.T) {
	ch := make(chan NodeEvent, 16)
	m := GetMemberlist(t, func(c *Config) {
		c.Events = &ChannelEventDelegate{ch}
		c.SuspicionMult = 1
		c.ProbeInterval = 20 * time.Millisecond
	})
	defer m.Shutdown()
	next := func() NodeEvent {
		t.Helper()
		select {
		case ev := <-ch:
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
		return NodeEvent{}
	}
	for len(ch) > 0 { // the local node's own join
		<-ch
	}
	m.aliveNode(&alive{Node: "peer", Addr: []byte{127, 0, 0, 1}, Incarnation: 1, Vsn: m.config.BuildVsnArray()}, nil, false)
	if ev := next(); ev.Event != NodeJoin || ev.Node.Name != "peer" || ev.Node.State != StateAlive {
		t.Fatalf("join: %+v", ev)
	}

	m.suspectNode(&suspect{Node: "peer", Incarnation: 1, From: m.config.Name})
	if ev := next(); ev.Event != NodeUpdate || ev.Node.State != StateSuspect {
		t.Fatalf("suspect: %+v", ev)
	}
	m.aliveNode(&alive{Node: "peer", Addr: []byte{127, 0, 0, 1}, Incarnation: 2, Vsn: m.config.BuildVsnArray()}, nil, false)
	if ev := next(); ev.Event != NodeUpdate || ev.Node.State != StateAlive {
		t.Fatalf("refuted: %+v", ev)
	}
	if len(ch) > 0 {
		t.Fatalf("an extra event: %+v", <-ch)
	}

	// Suspected again, and not refuted: the timeout declares it dead.
	m.suspectNode(&suspect{Node: "peer", Incarnation: 2, From: m.config.Name})
	if ev := next(); ev.Event != NodeUpdate || ev.Node.State != StateSuspect {
		t.Fatalf("suspect again: %+v", ev)
	}
	if ev := next(); ev.Event != NodeLeave || ev.Node.State != StateDead {
		t.Fatalf("dead: %+v", ev)
	}

	// A node's own dead message (a leave) says left.
	m.aliveNode(&alive{Node: "other", Addr: []byte{127, 0, 0, 2}, Incarnation: 1, Vsn: m.config.BuildVsnArray()}, nil, false)
	if ev := next(); ev.Event != NodeJoin || ev.Node.State != StateAlive {
		t.Fatalf("join other: %+v", ev)
	}
	m.deadNode(&dead{Node: "other", From: "other", Incarnation: 1})
	if ev := next(); ev.Event != NodeLeave || ev.Node.State != StateLeft {
		t.Fatalf("left: %+v", ev)
	}
}
