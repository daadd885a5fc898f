package webcrypto

import "fmt"

// Error names: the DOMException names the Web Crypto spec throws, plus
// TypeError for WebIDL conversion failures.
const (
	NotSupportedError  = "NotSupportedError"
	SyntaxError        = "SyntaxError"
	InvalidAccessError = "InvalidAccessError"
	DataError          = "DataError"
	OperationError     = "OperationError"
	TypeError          = "TypeError"
)

// Error is an operation's failure, named as the JS exception it becomes.
type Error struct {
	Name    string
	Message string
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

func errorf(name, format string, args ...any) *Error {
	return &Error{Name: name, Message: fmt.Sprintf(format, args...)}
}

func notSupported(format string, args ...any) error {
	return errorf(NotSupportedError, format, args...)
}
func syntaxErr(format string, args ...any) error { return errorf(SyntaxError, format, args...) }
func invalidAccess(format string, args ...any) error {
	return errorf(InvalidAccessError, format, args...)
}
func dataErr(format string, args ...any) error { return errorf(DataError, format, args...) }
func opErr(format string, args ...any) error   { return errorf(OperationError, format, args...) }
func typeErr(format string, args ...any) error { return errorf(TypeError, format, args...) }
