package edge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/edgefn/edgefn/isolate"
	"github.com/edgefn/edgefn/kv"
)

// KVStore adapts the node's replicated store: to the control plane's Store
// (system namespaces) and, per bound namespace, to isolate.KVNamespace.
type KVStore struct {
	s *kv.Store

	mu       sync.Mutex
	watchers map[string][]chan struct{} // namespace -> Watch channels
	keyWatch map[string][]*keyWatcher   // namespace -> JS watchers
	started  bool
}

type keyWatcher struct {
	keys map[string]bool
	ch   chan isolate.KVChange
	ctx  context.Context
}

// NewKVStore wraps a store. It tails the store's change feed to serve
// Watch; Close it when done.
func NewKVStore(s *kv.Store) *KVStore {
	return &KVStore{s: s, watchers: map[string][]chan struct{}{}, keyWatch: map[string][]*keyWatcher{}}
}

// Raw returns the underlying store.
func (k *KVStore) Raw() *kv.Store { return k.s }

func (k *KVStore) Get(ns, key string) ([]byte, error) {
	e, err := k.s.Get(ns, key)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, fmt.Errorf("%s/%s: %w", ns, key, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}

func (k *KVStore) Put(ns, key string, value []byte) error {
	_, err := k.s.Put(ns, key, value, kv.PutOptions{})
	return err
}

func (k *KVStore) Delete(ns, key string) error {
	_, err := k.s.Delete(ns, key)
	return err
}

func (k *KVStore) Keys(ns, prefix string) ([]string, error) {
	var out []string
	cursor := ""
	for {
		res, err := k.s.List(ns, kv.ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, key := range res.Keys {
			out = append(out, key.Name)
		}
		if res.ListComplete {
			return out, nil
		}
		cursor = res.Cursor
	}
}

// Watch signals changes in a namespace, local or replicated.
func (k *KVStore) Watch(ns string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	k.mu.Lock()
	k.watchers[ns] = append(k.watchers[ns], ch)
	k.startLocked()
	k.mu.Unlock()
	return ch, func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		list := k.watchers[ns]
		for i, c := range list {
			if c == ch {
				k.watchers[ns] = append(list[:i], list[i+1:]...)
				break
			}
		}
	}
}

// startLocked starts tailing the change feed once. k.mu held.
func (k *KVStore) startLocked() {
	if k.started {
		return
	}
	k.started = true
	from := k.s.Seq() + 1
	go func() {
		for {
			wait := k.s.Notify()
			recs, next, err := k.s.Changes(from, 1000)
			if err != nil {
				if errors.Is(err, kv.ErrClosed) {
					return
				}
				<-wait
				continue
			}
			from = next
			if len(recs) > 0 {
				k.dispatch(recs)
				continue
			}
			<-wait
		}
	}()
}

func (k *KVStore) dispatch(recs []kv.Record) {
	k.mu.Lock()
	defer k.mu.Unlock()
	seen := map[string]bool{}
	for _, r := range recs {
		if !seen[r.Namespace] {
			seen[r.Namespace] = true
			for _, ch := range k.watchers[r.Namespace] {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
		live := k.keyWatch[r.Namespace][:0]
		for _, w := range k.keyWatch[r.Namespace] {
			if w.ctx.Err() != nil {
				close(w.ch)
				continue
			}
			live = append(live, w)
			if !w.keys[r.Key] {
				continue
			}
			ch := isolate.KVChange{Key: r.Key}
			if !r.Tombstone {
				ch.Entry = &isolate.KVEntry{Value: r.Value, Metadata: r.Metadata, Expiration: r.Expiration, Versionstamp: r.Version.Stamp()}
			}
			select {
			case w.ch <- ch:
			default: // a watcher that does not read loses changes rather than stall the feed
			}
		}
		k.keyWatch[r.Namespace] = live
	}
}

// bindingError marks the store's bad-input errors for the JS binding (they
// become TypeErrors there) and leaves the rest alone.
func bindingError(err error) error {
	if err == nil || !kv.IsInvalidInput(err) {
		return err
	}
	return &kvInputError{msg: strings.ReplaceAll(err.Error(), "kv: ", ""), err: err}
}

// kvInputError is a store's bad-input error as a handler reads it: without
// the package prefixes, still matching the store's sentinel.
type kvInputError struct {
	msg string
	err error
}

func (e *kvInputError) Error() string   { return e.msg }
func (e *kvInputError) Unwrap() []error { return []error{isolate.ErrKVInvalid, e.err} }

// Namespace returns a namespace as a JS binding sees it.
func (k *KVStore) Namespace(ns string) isolate.KVNamespace { return &kvNamespace{k: k, ns: ns} }

type kvNamespace struct {
	k  *KVStore
	ns string
}

func (n *kvNamespace) Get(_ context.Context, key string) (*isolate.KVEntry, error) {
	e, err := n.k.s.Get(n.ns, key)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, isolate.ErrKVNotFound
	}
	if err != nil {
		return nil, bindingError(err)
	}
	return &isolate.KVEntry{Value: e.Value, Metadata: e.Metadata, Expiration: e.Expiration, Versionstamp: e.Version.Stamp()}, nil
}

// GetCached answers from the store's read cache (memory only). The binding's
// entry is made once per cache entry and kept with it (kv.Entry.Memo), so a
// hot key's value is converted (versionstamp, JS string) once, not per
// request; a write drops the cache entry and the memo with it.
func (n *kvNamespace) GetCached(key string) (*isolate.KVEntry, bool) {
	e, ok := n.k.s.GetCached(n.ns, key)
	if !ok {
		return nil, false
	}
	return e.Memo(bindingEntry).(*isolate.KVEntry), true
}

func bindingEntry(e *kv.Entry) (any, int) {
	ie := &isolate.KVEntry{Value: e.Value, Metadata: e.Metadata, Expiration: e.Expiration, Versionstamp: e.Version.Stamp()}
	return ie, ie.Footprint()
}

func (n *kvNamespace) Put(_ context.Context, key string, value []byte, o isolate.KVPutOptions) error {
	_, err := n.k.s.Put(n.ns, key, value, kv.PutOptions{Expiration: o.Expiration, ExpirationTTL: o.ExpirationTTL, Metadata: o.Metadata})
	return bindingError(err)
}

func (n *kvNamespace) Delete(_ context.Context, key string) error {
	_, err := n.k.s.Delete(n.ns, key)
	return bindingError(err)
}

func (n *kvNamespace) List(_ context.Context, o isolate.KVListOptions) (*isolate.KVListResult, error) {
	res, err := n.k.s.List(n.ns, kv.ListOptions{Prefix: o.Prefix, Limit: o.Limit, Cursor: o.Cursor})
	if err != nil {
		return nil, bindingError(err)
	}
	out := &isolate.KVListResult{Complete: res.ListComplete, Cursor: res.Cursor}
	for _, key := range res.Keys {
		out.Keys = append(out.Keys, struct {
			Name       string
			Expiration int64
			Metadata   []byte
		}{key.Name, key.Expiration, key.Metadata})
	}
	return out, nil
}

func (n *kvNamespace) Atomic(_ context.Context, checks []isolate.KVCheck, muts []isolate.KVMutation) (string, bool, error) {
	cs := make([]kv.Check, len(checks))
	for i, c := range checks {
		cs[i] = kv.Check{Key: c.Key, Versionstamp: c.Versionstamp}
	}
	ms := make([]kv.Mutation, len(muts))
	for i, m := range muts {
		ms[i] = kv.Mutation{Key: m.Key, Value: m.Value, Delta: m.Delta,
			Options: kv.PutOptions{Expiration: m.Options.Expiration, ExpirationTTL: m.Options.ExpirationTTL, Metadata: m.Options.Metadata}}
		switch m.Kind {
		case "set":
			ms[i].Kind = kv.MutSet
		case "delete":
			ms[i].Kind = kv.MutDelete
		case "sum":
			ms[i].Kind = kv.MutSum
		default:
			return "", false, fmt.Errorf("unknown mutation %q", m.Kind)
		}
	}
	v, err := n.k.s.Atomic(n.ns, cs, ms)
	if errors.Is(err, kv.ErrCheckFailed) {
		return "", false, nil
	}
	if err != nil {
		return "", false, bindingError(err)
	}
	return v.Stamp(), true, nil
}

func (n *kvNamespace) Watch(ctx context.Context, keys []string) (<-chan isolate.KVChange, error) {
	w := &keyWatcher{keys: map[string]bool{}, ch: make(chan isolate.KVChange, 64), ctx: ctx}
	for _, key := range keys {
		w.keys[key] = true
	}
	n.k.mu.Lock()
	n.k.keyWatch[n.ns] = append(n.k.keyWatch[n.ns], w)
	n.k.startLocked()
	n.k.mu.Unlock()
	return w.ch, nil
}
