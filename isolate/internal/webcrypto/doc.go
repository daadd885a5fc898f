// Package webcrypto implements the algorithms behind the W3C Web
// Cryptography API (crypto.subtle) in pure Go, with the spec's checks and
// error names, so that the isolate package only converts JavaScript values.
//
// It works on Go values: normalized algorithm parameters ([Params]), keys
// ([Key]) and JSON Web Keys ([JWK]). Every error it returns is an [*Error]
// whose Name is the DOMException name (or "TypeError") the spec requires.
// Nothing here touches a JS runtime, so the heavy operations (RSA key
// generation, PBKDF2) can run on any goroutine.
//
// It must never import goja or any other edgefn package.
package webcrypto
