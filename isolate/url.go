package isolate

import (
	"github.com/dop251/goja"
	nodeurl "github.com/dop251/goja_nodejs/url"
)

// installURL defines URL and URLSearchParams from goja_nodejs's WHATWG URL
// implementation, without exposing its module loader.
func installURL(in *instance) error {
	vm := in.vm
	module := vm.NewObject()
	exports := vm.NewObject()
	_ = module.Set("exports", exports)
	nodeurl.Require(vm, module)
	g := vm.GlobalObject()
	for _, name := range []string{"URL", "URLSearchParams"} {
		if err := g.DefineDataProperty(name, exports.Get(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	in.intr.url = exports.Get("URL").(*goja.Object)
	in.intr.urlSearchParams = exports.Get("URLSearchParams").(*goja.Object)
	for _, ctor := range []*goja.Object{in.intr.url, in.intr.urlSearchParams} {
		in.renameNatives(ctor)
		in.renameNatives(ctor.Get("prototype").(*goja.Object))
	}
	return nil
}
