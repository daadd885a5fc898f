package edge

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// memStore is an in-memory Store for tests.
type memStore struct {
	mu       sync.Mutex
	data     map[string]map[string][]byte
	watchers map[string][]chan struct{}
}

func newMemStore() *memStore {
	return &memStore{data: map[string]map[string][]byte{}, watchers: map[string][]chan struct{}{}}
}

func (m *memStore) Get(ns, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[ns][key]
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", ns, key, ErrNotFound)
	}
	return append([]byte(nil), v...), nil
}

func (m *memStore) Put(ns, key string, value []byte) error {
	m.mu.Lock()
	if m.data[ns] == nil {
		m.data[ns] = map[string][]byte{}
	}
	m.data[ns][key] = append([]byte(nil), value...)
	m.notify(ns)
	m.mu.Unlock()
	return nil
}

func (m *memStore) Delete(ns, key string) error {
	m.mu.Lock()
	delete(m.data[ns], key)
	m.notify(ns)
	m.mu.Unlock()
	return nil
}

func (m *memStore) Keys(ns, prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.data[ns] {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *memStore) Watch(ns string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	m.mu.Lock()
	m.watchers[ns] = append(m.watchers[ns], ch)
	m.mu.Unlock()
	return ch, func() {}
}

func (m *memStore) notify(ns string) {
	for _, ch := range m.watchers[ns] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
