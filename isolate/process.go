package isolate

import (
	"github.com/dop251/goja"
)

// installProcess defines a minimal `process` for Vercel- and Node-style
// code: process.env holds the deployment's variables and secrets (the same
// values as the handler's env). Nothing else of Node's process exists.
func installProcess(in *instance) error {
	vm := in.vm
	proc := vm.NewObject()
	env := vm.NewObject()
	for k, v := range in.vars() {
		_ = env.Set(k, v)
	}
	_ = proc.Set("env", env)
	return vm.GlobalObject().DefineDataProperty("process", proc, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
