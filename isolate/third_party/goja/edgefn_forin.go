package goja

import (
	"unsafe"

	"github.com/dop251/goja/unistring"
)

// forInIter (edgefn patch 20) runs `for (k in o)` over an ordinary object
// (*baseObject) whose prototype chain holds no enumerable string-keyed
// property, which is what records, class instances and object literals
// are. Upstream's iterator (enumerateRecursive) makes a closure, a key
// string and a map insertion per step, and walks Object.prototype's
// dozen names the same way, though none of them is enumerable.
//
// What it keeps of upstream: the keys are o's property names when the loop
// began (ordered as OrdinaryOwnPropertyKeys orders them); a key deleted
// before its turn, or made non-enumerable, is skipped; a key added during
// the loop is not visited; the prototype chain is looked at when o's own
// keys run out, from o's prototype at that time. A prototype that is not
// an ordinary or built-in object, or that has an enumerable string-keyed
// property, hands the rest of the chain to upstream's iterator, seeded
// with the names processed so far, so shadowing is as upstream's.
type forInIter struct {
	obj  *Object
	base *baseObject
	// names is a copy of base.propNames made when the loop began. It is
	// never written afterwards: key values point into it (keyAt).
	names []unistring.String
	idx   int
	// skipped holds the indices in names of keys deleted before their
	// turn: they were not processed, so they shadow nothing.
	skipped []int
	// rest enumerates the prototype chain upstream's way, once a prototype
	// may contribute keys.
	rest iterNextFunc
	done bool
}

// newForInIter returns an iterator for o when o is an ordinary object,
// else nil. It reuses one a finished loop released.
func (vm *vm) newForInIter(o *Object) *forInIter {
	base, ok := o.self.(*baseObject)
	if !ok {
		return nil
	}
	var it *forInIter
	if n := len(vm.freeForIn); n > 0 {
		it = vm.freeForIn[n-1]
		vm.freeForIn[n-1] = nil
		vm.freeForIn = vm.freeForIn[:n-1]
	} else {
		it = &forInIter{}
	}
	it.obj, it.base = o, base
	base.ensurePropOrder()
	if n := len(base.propNames); n > 0 {
		it.names = make([]unistring.String, n)
		copy(it.names, base.propNames)
	}
	return it
}

// maxFreeForIn is how many finished iterators a vm keeps: one per level of
// nested loops.
const maxFreeForIn = 4

// releaseForIn keeps it for a later loop. Its names are dropped, not
// cleared: the loop's key values may still point into them.
func (vm *vm) releaseForIn(it *forInIter) {
	if len(vm.freeForIn) < maxFreeForIn {
		*it = forInIter{skipped: it.skipped[:0]}
		vm.freeForIn = append(vm.freeForIn, it)
	}
}

// next returns the next key, or false when there is none.
func (it *forInIter) next() (Value, bool) {
	for it.idx < len(it.names) {
		i := it.idx
		it.idx++
		prop := it.base.values[it.names[i]]
		if prop == nil {
			it.skipped = append(it.skipped, i)
			continue
		}
		if prop, ok := prop.(*valueProperty); ok && !prop.enumerable {
			continue
		}
		return it.keyAt(i), true
	}
	if it.rest == nil {
		if it.done || !it.chainContributes() {
			it.done = true
			return nil, false
		}
	}
	item, next := it.rest()
	if next == nil {
		it.rest = emptyIter
		return nil, false
	}
	it.rest = next
	return item.name, true
}

// keyAt returns names[i] as a string value. An ASCII name's value is an
// asciiString whose data is names[i] itself instead of a copy boxed for
// each key: names is never written again and the garbage collector keeps
// it alive while a key refers to it.
func (it *forInIter) keyAt(i int) Value {
	p := &it.names[i]
	if p.AsUtf16() != nil {
		return stringValueFromRaw(*p)
	}
	v := Value(asciiString("")) // the type word of an asciiString Value, no allocation
	(*[2]unsafe.Pointer)(unsafe.Pointer(&v))[1] = unsafe.Pointer(p)
	return v
}

// chainContributes walks the prototype chain after base's keys ran out.
// When every prototype is an ordinary or built-in object without an
// enumerable string-keyed property, the loop is over: upstream would have
// walked their names within this same step and returned none. Otherwise
// it sets rest to upstream's iterator, resuming after the last prototype
// passed over, and reports true.
func (it *forInIter) chainContributes() bool {
	var last objectImpl = it.base
	for {
		p := last.proto()
		if p == nil {
			return false
		}
		if !noEnumerableStringProps(p.self) {
			break
		}
		last = p.self
	}
	seen := make(map[unistring.String]struct{}, len(it.names))
	skipped := it.skipped
	for i, name := range it.names {
		if len(skipped) > 0 && skipped[0] == i {
			skipped = skipped[1:]
			continue
		}
		seen[name] = struct{}{}
	}
	// The prototypes passed over processed all their names, as upstream's
	// walk of them would have (nothing ran since).
	for impl := objectImpl(it.base); impl != last; {
		impl = impl.proto().self
		for _, name := range ownStringNames(impl) {
			seen[name] = struct{}{}
		}
	}
	it.rest = (&enumerableIter{
		o: it.obj,
		wrapped: (&recursivePropIter{
			o:    last,
			cur:  emptyIter,
			seen: seen,
		}).next,
	}).next
	return true
}

// ownStringNames returns the own property names of an object
// noEnumerableStringProps accepts.
func ownStringNames(impl objectImpl) []unistring.String {
	switch o := impl.(type) {
	case *baseObject:
		return o.propNames
	case *templatedObject:
		if o.propNames == nil {
			return o.tmpl.propNames
		}
		return o.propNames
	}
	return nil
}

// noEnumerableStringProps reports whether impl is an ordinary object, or a
// built-in one made from a template (Object.prototype), with no enumerable
// string-keyed own property. It runs no script: a template's property is
// made, as upstream's enumeration of it makes them all. The answer is kept
// in noEnumStr until the object's properties change: an attribute changes
// only by a write of values (_defineOwnProperty's callers write back the
// property it changed in place), and every such write clears it.
func noEnumerableStringProps(impl objectImpl) bool {
	switch o := impl.(type) {
	case *baseObject:
		if !o.noEnumStr {
			for _, name := range o.propNames {
				if isEnumerableProp(o.values[name]) {
					return false
				}
			}
			o.noEnumStr = true
		}
		return true
	case *templatedObject:
		if !o.noEnumStr {
			for _, name := range ownStringNames(o) {
				if isEnumerableProp(o.getOwnPropStr(name)) {
					return false
				}
			}
			o.noEnumStr = true
		}
		return true
	}
	return false
}

func isEnumerableProp(v Value) bool {
	if v == nil {
		return false
	}
	if prop, ok := v.(*valueProperty); ok {
		return prop.enumerable
	}
	return true
}
