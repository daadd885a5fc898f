package webcrypto

import (
	"fmt"
	"strings"
)

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

// derErr describes a failure to parse a DER structure. encoding/asn1's own
// messages describe Go struct tags, which mean nothing to a script author.
func derErr(what string, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, "asn1:") || strings.Contains(msg, "asn1: ") {
		return dataErr("the data is not a DER-encoded %s", what)
	}
	return dataErr("invalid %s: %s", what, strings.TrimPrefix(msg, "x509: "))
}
