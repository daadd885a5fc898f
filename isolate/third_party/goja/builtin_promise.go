package goja

import (
	"reflect"

	"github.com/dop251/goja/unistring"
)

type PromiseState int
type PromiseRejectionOperation int

type promiseReactionType int

const (
	PromiseStatePending PromiseState = iota
	PromiseStateFulfilled
	PromiseStateRejected
)

const (
	PromiseRejectionReject PromiseRejectionOperation = iota
	PromiseRejectionHandle
)

const (
	promiseReactionFulfill promiseReactionType = iota
	promiseReactionReject
)

type PromiseRejectionTracker func(p *Promise, operation PromiseRejectionOperation)

type jobCallback struct {
	callback func(FunctionCall) Value
	// script, when set instead of callback, is a script function called
	// with callScript.
	script *Object
}

// setHandler makes jc call v, reporting whether v is callable.
func (jc *jobCallback) setHandler(v Value) bool {
	if o, ok := v.(*Object); ok && isScriptFunc(o) {
		jc.script = o
		return true
	}
	f, ok := assertCallable(v)
	jc.callback = f
	return ok
}

type promiseCapability struct {
	promise               *Object
	resolveObj, rejectObj *Object

	// native is set when the capability is for %Promise% itself. Its
	// resolving functions are then made only when something hands them to
	// script (resolveFunc, rejectFunc); resolve and reject act on the promise
	// directly, with alreadyResolved as the record the functions share.
	native          *Promise
	alreadyResolved bool
}

type promiseReaction struct {
	capability  *promiseCapability
	typ         promiseReactionType
	handler     *jobCallback
	asyncRunner *asyncRunner
	asyncCtx    interface{}
}

var typePromise = reflect.TypeOf((*Promise)(nil))

// Promise is a Go wrapper around ECMAScript Promise. Calling Runtime.ToValue() on it
// returns the underlying Object. Calling Export() on a Promise Object returns a Promise.
//
// Use Runtime.NewPromise() to create one. Calling Runtime.ToValue() on a zero object or nil returns null Value.
//
// WARNING: Instances of Promise are not goroutine-safe. See Runtime.NewPromise() for more details.
type Promise struct {
	baseObject
	state            PromiseState
	result           Value
	fulfillReactions []*promiseReaction
	rejectReactions  []*promiseReaction
	handled          bool

	// firstReactions backs the two reaction lists while each holds one
	// reaction (a promise awaited or then'd once); a second one moves the
	// lists to the heap.
	firstReactions [2]*promiseReaction
}

func (p *Promise) State() PromiseState {
	return p.state
}

func (p *Promise) Result() Value {
	return p.result
}

func (p *Promise) toValue(r *Runtime) Value {
	if p == nil || p.val == nil {
		return _null
	}
	promise := p.val
	if promise.runtime != r {
		panic(r.NewTypeError("Illegal runtime transition of a Promise"))
	}
	return promise
}

func (p *Promise) createResolvingFunctions() (resolve, reject *Object) {
	return p.resolvingFunctions(new(bool))
}

// resolvingFunctions makes the resolve and reject functions of p sharing the
// alreadyResolved record.
func (p *Promise) resolvingFunctions(alreadyResolved *bool) (resolve, reject *Object) {
	r := p.val.runtime
	return r.newNativeFunc(func(call FunctionCall) Value {
			if *alreadyResolved {
				return _undefined
			}
			*alreadyResolved = true
			return p.resolveWith(call.Argument(0))
		}, "", 1),
		r.newNativeFunc(func(call FunctionCall) Value {
			if *alreadyResolved {
				return _undefined
			}
			*alreadyResolved = true
			return p.reject(call.Argument(0))
		}, "", 1)
}

// resolveWith is what a resolve function does once it checked it was not
// called before.
func (p *Promise) resolveWith(resolution Value) Value {
	r := p.val.runtime
	if resolution.SameAs(p.val) {
		return p.reject(r.NewTypeError("Promise self-resolution"))
	}
	if obj, ok := resolution.(*Object); ok {
		var thenAction Value
		ex := r.vm.try(func() {
			thenAction = obj.self.getStr("then", nil)
		})
		if ex != nil {
			return p.reject(ex.val)
		}
		if call, ok := assertCallable(thenAction); ok {
			job := r.newPromiseResolveThenableJob(p, resolution, &jobCallback{callback: call})
			r.enqueuePromiseJob(job)
			return _undefined
		}
	}
	return p.fulfill(resolution)
}

func (p *Promise) reject(reason Value) Value {
	reactions := p.rejectReactions
	p.result = reason
	p.fulfillReactions, p.rejectReactions = nil, nil
	p.state = PromiseStateRejected
	r := p.val.runtime
	if !p.handled {
		r.trackPromiseRejection(p, PromiseRejectionReject)
	}
	r.triggerPromiseReactions(reactions, reason)
	p.firstReactions = [2]*promiseReaction{}
	return _undefined
}

func (p *Promise) fulfill(value Value) Value {
	reactions := p.fulfillReactions
	p.result = value
	p.fulfillReactions, p.rejectReactions = nil, nil
	p.state = PromiseStateFulfilled
	p.val.runtime.triggerPromiseReactions(reactions, value)
	p.firstReactions = [2]*promiseReaction{}
	return _undefined
}

func (p *Promise) exportType() reflect.Type {
	return typePromise
}

func (p *Promise) export(*objectExportCtx) interface{} {
	return p
}

func (p *Promise) addReactions(fulfillReaction *promiseReaction, rejectReaction *promiseReaction) {
	r := p.val.runtime
	if tracker := r.asyncContextTracker; tracker != nil {
		ctx := tracker.Grab()
		fulfillReaction.asyncCtx = ctx
		rejectReaction.asyncCtx = ctx
	}
	switch p.state {
	case PromiseStatePending:
		if p.fulfillReactions == nil {
			p.firstReactions = [2]*promiseReaction{fulfillReaction, rejectReaction}
			p.fulfillReactions, p.rejectReactions = p.firstReactions[0:1:1], p.firstReactions[1:2:2]
			break
		}
		p.fulfillReactions = append(p.fulfillReactions, fulfillReaction)
		p.rejectReactions = append(p.rejectReactions, rejectReaction)
	case PromiseStateFulfilled:
		r.enqueuePromiseReactionJob(fulfillReaction, p.result)
	default:
		reason := p.result
		if !p.handled {
			r.trackPromiseRejection(p, PromiseRejectionHandle)
		}
		r.enqueuePromiseReactionJob(rejectReaction, reason)
	}
	p.handled = true
}

func (r *Runtime) newPromiseResolveThenableJob(p *Promise, thenable Value, then *jobCallback) func() {
	return func() {
		resolve, reject := p.createResolvingFunctions()
		ex := r.vm.try(func() {
			r.callJobCallback(then, thenable, resolve, reject)
		})
		if ex != nil {
			if fn, ok := reject.self.assertCallable(); ok {
				fn(FunctionCall{Arguments: []Value{ex.val}})
			}
		}
	}
}

// promiseJob is one entry of the job queue: a promise reaction and its
// argument, or any other job as a function. A reaction job, by far the most
// common kind, is queued as it is instead of in a closure made for it.
type promiseJob struct {
	reaction *promiseReaction
	argument Value
	fn       func()
}

func (r *Runtime) runJob(j *promiseJob) {
	if j.fn != nil {
		j.fn()
		return
	}
	r.runPromiseReactionJob(j.reaction, j.argument)
}

func (r *Runtime) enqueuePromiseJob(job func()) {
	r.jobQueue = append(r.jobQueue, promiseJob{fn: job})
}

func (r *Runtime) enqueuePromiseReactionJob(reaction *promiseReaction, argument Value) {
	r.jobQueue = append(r.jobQueue, promiseJob{reaction: reaction, argument: argument})
}

func (r *Runtime) triggerPromiseReactions(reactions []*promiseReaction, argument Value) {
	for _, reaction := range reactions {
		r.enqueuePromiseReactionJob(reaction, argument)
	}
}

// runPromiseReactionJob is the spec's NewPromiseReactionJob, run. The
// reactions of an await (asyncRunner set) resume their async function with
// no function object or argument list in between.
func (r *Runtime) runPromiseReactionJob(reaction *promiseReaction, argument Value) {
	if ar := reaction.asyncRunner; ar != nil {
		if tracker := r.asyncContextTracker; tracker != nil {
			tracker.Resumed(reaction.asyncCtx)
		}
		typ := reaction.typ
		// An exception here is dropped, as a throwing reaction handler's
		// is when the reaction has no capability.
		r.vm.try(func() {
			ar.resume(argument, typ == promiseReactionReject)
		})
		if tracker := r.asyncContextTracker; tracker != nil {
			tracker.Exited()
		}
		return
	}
	{
		var handlerResult Value
		fulfill := false
		if reaction.handler == nil {
			handlerResult = argument
			if reaction.typ == promiseReactionFulfill {
				fulfill = true
			}
		} else {
			if tracker := r.asyncContextTracker; tracker != nil {
				tracker.Resumed(reaction.asyncCtx)
			}
			ex := r.vm.try(func() {
				handlerResult = r.callJobCallback(reaction.handler, _undefined, argument)
				fulfill = true
			})
			if ex != nil {
				handlerResult = ex.val
			}
			if tracker := r.asyncContextTracker; tracker != nil {
				tracker.Exited()
			}
		}
		if reaction.capability != nil {
			if fulfill {
				reaction.capability.resolve(handlerResult)
			} else {
				reaction.capability.reject(handlerResult)
			}
		}
	}
}

// promiseAlloc holds a promise's Object and Promise, made together, and the
// capability when one is made for it.
type promiseAlloc struct {
	obj Object
	p   Promise
	cap promiseCapability
}

func (r *Runtime) newPromise(proto *Object) *Promise {
	a := &promiseAlloc{}
	r.initPromise(&a.obj, &a.p, proto)
	return &a.p
}

func (r *Runtime) initPromise(o *Object, po *Promise, proto *Object) {
	o.runtime = r
	po.class = classObject
	po.val = o
	po.extensible = true
	o.self = po
	po.prototype = proto
	// No property map: most promises never get an own property, and
	// baseObject makes the map on the first write (ensureValues).
}

func (r *Runtime) builtin_newPromise(args []Value, newTarget *Object) *Object {
	if newTarget == nil {
		panic(r.needNew("Promise"))
	}
	var arg0 Value
	if len(args) > 0 {
		arg0 = args[0]
	}
	executor := r.toCallable(arg0)

	proto := r.getPrototypeFromCtor(newTarget, r.global.Promise, r.getPromisePrototype())
	po := r.newPromise(proto)

	resolve, reject := po.createResolvingFunctions()
	ex := r.vm.try(func() {
		executor(FunctionCall{Arguments: []Value{resolve, reject}})
	})
	if ex != nil {
		if fn, ok := reject.self.assertCallable(); ok {
			fn(FunctionCall{Arguments: []Value{ex.val}})
		}
	}
	return po.val
}

func (r *Runtime) promiseProto_then(call FunctionCall) Value {
	thisObj := r.toObject(call.This)
	if p, ok := thisObj.self.(*Promise); ok {
		c := r.speciesConstructorObj(thisObj, r.getPromise())
		resultCapability := r.newPromiseCapability(c)
		return r.performPromiseThen(p, call.Argument(0), call.Argument(1), resultCapability)
	}
	panic(r.NewTypeError("Method Promise.prototype.then called on incompatible receiver %s", r.objectproto_toString(FunctionCall{This: thisObj})))
}

func (r *Runtime) newPromiseCapability(c *Object) *promiseCapability {
	if c == r.getPromise() {
		a := &promiseAlloc{}
		r.initPromise(&a.obj, &a.p, r.getPromisePrototype())
		a.cap = promiseCapability{promise: &a.obj, native: &a.p}
		return &a.cap
	}
	pcap := new(promiseCapability)
	var resolve, reject Value
	executor := r.newNativeFunc(func(call FunctionCall) Value {
		if resolve != nil {
			panic(r.NewTypeError("resolve is already set"))
		}
		if reject != nil {
			panic(r.NewTypeError("reject is already set"))
		}
		if arg := call.Argument(0); arg != _undefined {
			resolve = arg
		}
		if arg := call.Argument(1); arg != _undefined {
			reject = arg
		}
		return nil
	}, "", 2)
	pcap.promise = r.toConstructor(c)([]Value{executor}, c)
	pcap.resolveObj = r.toObject(resolve)
	r.toCallable(pcap.resolveObj) // make sure it's callable
	pcap.rejectObj = r.toObject(reject)
	r.toCallable(pcap.rejectObj)
	return pcap
}

func (r *Runtime) performPromiseThen(p *Promise, onFulfilled, onRejected Value, resultCapability *promiseCapability) Value {
	// Both reactions and their handlers are made in one allocation.
	rs := &struct {
		fulfill, reject         promiseReaction
		onFulfilled, onRejected jobCallback
	}{}
	rs.fulfill = promiseReaction{capability: resultCapability, typ: promiseReactionFulfill}
	rs.reject = promiseReaction{capability: resultCapability, typ: promiseReactionReject}
	if rs.onFulfilled.setHandler(onFulfilled) {
		rs.fulfill.handler = &rs.onFulfilled
	}
	if rs.onRejected.setHandler(onRejected) {
		rs.reject.handler = &rs.onRejected
	}
	p.addReactions(&rs.fulfill, &rs.reject)
	if resultCapability == nil {
		return _undefined
	}
	return resultCapability.promise
}

func (r *Runtime) promiseProto_catch(call FunctionCall) Value {
	return r.invoke(call.This, "then", _undefined, call.Argument(0))
}

func (r *Runtime) promiseResolve(c *Object, x Value) *Object {
	if obj, ok := x.(*Object); ok {
		xConstructor := nilSafe(obj.self.getStr("constructor", nil))
		if xConstructor.SameAs(c) {
			return obj
		}
	}
	pcap := r.newPromiseCapability(c)
	pcap.resolve(x)
	return pcap.promise
}

func (r *Runtime) promiseProto_finally(call FunctionCall) Value {
	promise := r.toObject(call.This)
	c := r.speciesConstructorObj(promise, r.getPromise())
	onFinally := call.Argument(0)
	var thenFinally, catchFinally Value
	if onFinallyFn, ok := assertCallable(onFinally); !ok {
		thenFinally, catchFinally = onFinally, onFinally
	} else {
		thenFinally = r.newNativeFunc(func(call FunctionCall) Value {
			value := call.Argument(0)
			result := onFinallyFn(FunctionCall{})
			promise := r.promiseResolve(c, result)
			valueThunk := r.newNativeFunc(func(call FunctionCall) Value {
				return value
			}, "", 0)
			return r.invoke(promise, "then", valueThunk)
		}, "", 1)

		catchFinally = r.newNativeFunc(func(call FunctionCall) Value {
			reason := call.Argument(0)
			result := onFinallyFn(FunctionCall{})
			promise := r.promiseResolve(c, result)
			thrower := r.newNativeFunc(func(call FunctionCall) Value {
				panic(reason)
			}, "", 0)
			return r.invoke(promise, "then", thrower)
		}, "", 1)
	}
	return r.invoke(promise, "then", thenFinally, catchFinally)
}

func (pcap *promiseCapability) resolve(result Value) {
	if p := pcap.native; p != nil {
		if !pcap.alreadyResolved {
			pcap.alreadyResolved = true
			p.resolveWith(result)
		}
		return
	}
	pcap.promise.runtime.toCallable(pcap.resolveObj)(FunctionCall{Arguments: []Value{result}})
}

func (pcap *promiseCapability) reject(reason Value) {
	if p := pcap.native; p != nil {
		if !pcap.alreadyResolved {
			pcap.alreadyResolved = true
			p.reject(reason)
		}
		return
	}
	pcap.promise.runtime.toCallable(pcap.rejectObj)(FunctionCall{Arguments: []Value{reason}})
}

// resolveFunc and rejectFunc return the capability's resolving functions,
// made on first use for a native capability.
func (pcap *promiseCapability) resolveFunc() *Object {
	pcap.makeFuncs()
	return pcap.resolveObj
}

func (pcap *promiseCapability) rejectFunc() *Object {
	pcap.makeFuncs()
	return pcap.rejectObj
}

func (pcap *promiseCapability) makeFuncs() {
	if pcap.resolveObj == nil {
		pcap.resolveObj, pcap.rejectObj = pcap.native.resolvingFunctions(&pcap.alreadyResolved)
	}
}

func (pcap *promiseCapability) try(f func()) bool {
	ex := pcap.promise.runtime.vm.try(f)
	if ex != nil {
		pcap.reject(ex.val)
		return false
	}
	return true
}

func (r *Runtime) promise_all(call FunctionCall) Value {
	c := r.toObject(call.This)
	pcap := r.newPromiseCapability(c)

	pcap.try(func() {
		promiseResolve := r.toCallable(c.self.getStr("resolve", nil))
		iter := r.getIterator(call.Argument(0), nil)
		var values []Value
		remainingElementsCount := 1
		iter.iterate(func(nextValue Value) {
			index := len(values)
			values = append(values, _undefined)
			nextPromise := promiseResolve(FunctionCall{This: c, Arguments: []Value{nextValue}})
			alreadyCalled := false
			onFulfilled := r.newNativeFunc(func(call FunctionCall) Value {
				if alreadyCalled {
					return _undefined
				}
				alreadyCalled = true
				values[index] = call.Argument(0)
				remainingElementsCount--
				if remainingElementsCount == 0 {
					pcap.resolve(r.newArrayValues(values))
				}
				return _undefined
			}, "", 1)
			remainingElementsCount++
			r.invoke(nextPromise, "then", onFulfilled, pcap.rejectFunc())
		})
		remainingElementsCount--
		if remainingElementsCount == 0 {
			pcap.resolve(r.newArrayValues(values))
		}
	})
	return pcap.promise
}

func (r *Runtime) promise_allSettled(call FunctionCall) Value {
	c := r.toObject(call.This)
	pcap := r.newPromiseCapability(c)

	pcap.try(func() {
		promiseResolve := r.toCallable(c.self.getStr("resolve", nil))
		iter := r.getIterator(call.Argument(0), nil)
		var values []Value
		remainingElementsCount := 1
		iter.iterate(func(nextValue Value) {
			index := len(values)
			values = append(values, _undefined)
			nextPromise := promiseResolve(FunctionCall{This: c, Arguments: []Value{nextValue}})
			alreadyCalled := false
			reaction := func(status Value, valueKey unistring.String) *Object {
				return r.newNativeFunc(func(call FunctionCall) Value {
					if alreadyCalled {
						return _undefined
					}
					alreadyCalled = true
					obj := r.NewObject()
					obj.self._putProp("status", status, true, true, true)
					obj.self._putProp(valueKey, call.Argument(0), true, true, true)
					values[index] = obj
					remainingElementsCount--
					if remainingElementsCount == 0 {
						pcap.resolve(r.newArrayValues(values))
					}
					return _undefined
				}, "", 1)
			}
			onFulfilled := reaction(asciiString("fulfilled"), "value")
			onRejected := reaction(asciiString("rejected"), "reason")
			remainingElementsCount++
			r.invoke(nextPromise, "then", onFulfilled, onRejected)
		})
		remainingElementsCount--
		if remainingElementsCount == 0 {
			pcap.resolve(r.newArrayValues(values))
		}
	})
	return pcap.promise
}

func (r *Runtime) promise_any(call FunctionCall) Value {
	c := r.toObject(call.This)
	pcap := r.newPromiseCapability(c)

	pcap.try(func() {
		promiseResolve := r.toCallable(c.self.getStr("resolve", nil))
		iter := r.getIterator(call.Argument(0), nil)
		var errors []Value
		remainingElementsCount := 1
		iter.iterate(func(nextValue Value) {
			index := len(errors)
			errors = append(errors, _undefined)
			nextPromise := promiseResolve(FunctionCall{This: c, Arguments: []Value{nextValue}})
			alreadyCalled := false
			onRejected := r.newNativeFunc(func(call FunctionCall) Value {
				if alreadyCalled {
					return _undefined
				}
				alreadyCalled = true
				errors[index] = call.Argument(0)
				remainingElementsCount--
				if remainingElementsCount == 0 {
					pcap.reject(r.newAggregateErrorErrors(errors))
				}
				return _undefined
			}, "", 1)

			remainingElementsCount++
			r.invoke(nextPromise, "then", pcap.resolveFunc(), onRejected)
		})
		remainingElementsCount--
		if remainingElementsCount == 0 {
			pcap.reject(r.newAggregateErrorErrors(errors))
		}
	})
	return pcap.promise
}

func (r *Runtime) promise_race(call FunctionCall) Value {
	c := r.toObject(call.This)
	pcap := r.newPromiseCapability(c)

	pcap.try(func() {
		promiseResolve := r.toCallable(c.self.getStr("resolve", nil))
		iter := r.getIterator(call.Argument(0), nil)
		iter.iterate(func(nextValue Value) {
			nextPromise := promiseResolve(FunctionCall{This: c, Arguments: []Value{nextValue}})
			r.invoke(nextPromise, "then", pcap.resolveFunc(), pcap.rejectFunc())
		})
	})
	return pcap.promise
}

func (r *Runtime) promise_reject(call FunctionCall) Value {
	pcap := r.newPromiseCapability(r.toObject(call.This))
	pcap.reject(call.Argument(0))
	return pcap.promise
}

func (r *Runtime) promise_resolve(call FunctionCall) Value {
	return r.promiseResolve(r.toObject(call.This), call.Argument(0))
}

func (r *Runtime) createPromiseProto(val *Object) objectImpl {
	o := newBaseObjectObj(val, r.global.ObjectPrototype, classObject)
	o._putProp("constructor", r.getPromise(), true, false, true)

	o._putProp("catch", r.newNativeFunc(r.promiseProto_catch, "catch", 1), true, false, true)
	o._putProp("finally", r.newNativeFunc(r.promiseProto_finally, "finally", 1), true, false, true)
	o._putProp("then", r.newNativeFunc(r.promiseProto_then, "then", 2), true, false, true)

	o._putSym(SymToStringTag, valueProp(asciiString(classPromise), false, false, true))

	return o
}

func (r *Runtime) createPromise(val *Object) objectImpl {
	o := r.newNativeConstructOnly(val, r.builtin_newPromise, r.getPromisePrototype(), "Promise", 1)

	o._putProp("all", r.newNativeFunc(r.promise_all, "all", 1), true, false, true)
	o._putProp("allSettled", r.newNativeFunc(r.promise_allSettled, "allSettled", 1), true, false, true)
	o._putProp("any", r.newNativeFunc(r.promise_any, "any", 1), true, false, true)
	o._putProp("race", r.newNativeFunc(r.promise_race, "race", 1), true, false, true)
	o._putProp("reject", r.newNativeFunc(r.promise_reject, "reject", 1), true, false, true)
	o._putProp("resolve", r.newNativeFunc(r.promise_resolve, "resolve", 1), true, false, true)

	r.putSpeciesReturnThis(o)

	return o
}

func (r *Runtime) getPromisePrototype() *Object {
	ret := r.global.PromisePrototype
	if ret == nil {
		ret = &Object{runtime: r}
		r.global.PromisePrototype = ret
		ret.self = r.createPromiseProto(ret)
	}
	return ret
}

func (r *Runtime) getPromise() *Object {
	ret := r.global.Promise
	if ret == nil {
		ret = &Object{runtime: r}
		r.global.Promise = ret
		ret.self = r.createPromise(ret)
	}
	return ret
}

// NewPromise creates and returns a Promise and resolving functions for it.
// The returned errors will be uncatchable errors, such as InterruptedError or StackOverflowError, which should be propagated upwards.
// Exceptions are handled through [PromiseRejectionTracker].
//
// WARNING: The returned values are not goroutine-safe and must not be called in parallel with VM running.
// In order to make use of this method you need an event loop such as the one in goja_nodejs (https://github.com/dop251/goja_nodejs)
// where it can be used like this:
//
//	loop := NewEventLoop()
//	loop.Start()
//	defer loop.Stop()
//	loop.RunOnLoop(func(vm *goja.Runtime) {
//	    p, resolve, _ := vm.NewPromise()
//	    vm.Set("p", p)
//	    go func() {
//	        time.Sleep(500 * time.Millisecond)   // or perform any other blocking operation
//	        loop.RunOnLoop(func(*goja.Runtime) { // resolve() must be called on the loop, cannot call it here
//	            err := resolve(result)
//	            // Handle uncatchable errors (e.g. by stopping the loop, panicking or setting a flag)
//	        })
//	    }()
//	}
func (r *Runtime) NewPromise() (promise *Promise, resolve, reject func(reason interface{}) error) {
	p := r.newPromise(r.getPromisePrototype())
	// What calling the promise's resolving functions does, without making
	// them as function objects: script never sees them.
	alreadyResolved := false
	resolve = func(x interface{}) error {
		v := r.ToValue(x)
		return r.runWrapped(func() {
			if !alreadyResolved {
				alreadyResolved = true
				p.resolveWith(v)
			}
		})
	}
	reject = func(x interface{}) error {
		v := r.ToValue(x)
		return r.runWrapped(func() {
			if !alreadyResolved {
				alreadyResolved = true
				p.reject(v)
			}
		})
	}
	return p, resolve, reject
}

// SetPromiseRejectionTracker registers a function that will be called in two scenarios: when a promise is rejected
// without any handlers (with operation argument set to PromiseRejectionReject), and when a handler is added to a
// rejected promise for the first time (with operation argument set to PromiseRejectionHandle).
//
// Setting a tracker replaces any existing one. Setting it to nil disables the functionality.
//
// See https://tc39.es/ecma262/#sec-host-promise-rejection-tracker for more details.
func (r *Runtime) SetPromiseRejectionTracker(tracker PromiseRejectionTracker) {
	r.promiseRejectionTracker = tracker
}

// SetAsyncContextTracker registers a handler that allows to track async execution contexts. See AsyncContextTracker
// documentation for more details. Setting it to nil disables the functionality.
// This method (as Runtime in general) is not goroutine-safe.
func (r *Runtime) SetAsyncContextTracker(tracker AsyncContextTracker) {
	r.asyncContextTracker = tracker
}
