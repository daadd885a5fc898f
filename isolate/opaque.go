package isolate

import "reflect"

// opaqueGo is every runtime's field name mapper: a Go value that reaches a
// script through goja's reflection (a library wrapping a Go struct with
// ToValue, as goja_nodejs does for URL) shows the script none of its Go
// fields or methods. goja's own mappers would expose a struct's exported
// fields and methods, a way into Go code the platform never meant to offer.
type opaqueGo struct{}

func (opaqueGo) FieldName(reflect.Type, reflect.StructField) string { return "" }
func (opaqueGo) MethodName(reflect.Type, reflect.Method) string     { return "" }
