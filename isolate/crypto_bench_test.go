package isolate

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

// The crypto benchmarks compare an operation called from JS (through
// crypto.subtle, awaiting its promise, as handlers do) with the same
// operation in plain Go. Each JS request runs the operation in a loop of
// jsBatch, so the request's own overhead is spread thin; ns/op is per
// operation in both.

const jsBatch = 200

// jwtInput is the signing input of a typical HS256 JWT (header.payload).
var jwtInput = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
	"eyJzdWIiOiJ1c2VyLTEyMzQ1Njc4OTAiLCJuYW1lIjoiSmFuZSBEb2UiLCJlbWFpbCI6ImphbmVAZXhhbXBsZS5jb20iLCJyb2xlcyI6WyJhZG1pbiIsImVkaXRvciJdLCJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20iLCJhdWQiOiJhcGkiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0"

var benchSecret = []byte("a 256-bit secret for HS256 JWTs!")

// benchJS runs body (with n, key and data in scope) in batches of jsBatch
// iterations per request.
func benchJS(b *testing.B, setup, body string) {
	src := `
const data = new Uint8Array(Array.from(` + fmt.Sprintf("%q", jwtInput) + `, (c) => c.charCodeAt(0)));
const secret = new Uint8Array([` + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(benchSecret)), ","), "[]") + `]);
let state;
export default { async fetch(request) {
  state ??= await (async () => { ` + setup + ` })();
  const n = Number(new URL(request.url).searchParams.get("n"));
  for (let i = 0; i < n; i++) { ` + body + ` }
  return new Response("ok");
} };`
	p, _ := newTestPool(b, src, generousCPU)
	ctx := context.Background()
	do := func(n int) {
		r, err := p.Do(ctx, &Request{ID: "b", Method: "GET", URL: fmt.Sprintf("http://bench/?n=%d", n)})
		if err != nil || r.Status != 200 {
			b.Fatal(err, r)
		}
	}
	do(1) // warm: the state is made, the global installed
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += jsBatch {
		do(min(jsBatch, b.N-done))
	}
}

const hmacSetup = `return { key: await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]) };`

// BenchmarkCryptoHS256 is an HS256 sign and verify of a JWT-sized input.
func BenchmarkCryptoHS256(b *testing.B) {
	b.Run("js", func(b *testing.B) {
		benchJS(b, hmacSetup, `
    const sig = await crypto.subtle.sign("HMAC", state.key, data);
    if (!(await crypto.subtle.verify("HMAC", state.key, sig, data))) throw new Error("bad");`)
	})
	b.Run("go", func(b *testing.B) {
		data := []byte(jwtInput)
		b.ReportAllocs()
		for b.Loop() {
			m := hmac.New(sha256.New, benchSecret)
			m.Write(data)
			sig := m.Sum(nil)
			v := hmac.New(sha256.New, benchSecret)
			v.Write(data)
			if !hmac.Equal(v.Sum(nil), sig) {
				b.Fatal("bad")
			}
		}
	})
}

// BenchmarkCryptoHS256ImportVerify verifies with a key imported for the
// request, as a handler holding the secret in env does per request.
func BenchmarkCryptoHS256ImportVerify(b *testing.B) {
	m := hmac.New(sha256.New, benchSecret)
	m.Write([]byte(jwtInput))
	sig := m.Sum(nil)
	b.Run("js", func(b *testing.B) {
		benchJS(b, `return { sig: new Uint8Array([`+strings.Trim(strings.Join(strings.Fields(fmt.Sprint(sig)), ","), "[]")+`]) };`, `
    const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    if (!(await crypto.subtle.verify("HMAC", key, state.sig, data))) throw new Error("bad");`)
	})
	b.Run("go", func(b *testing.B) {
		data := []byte(jwtInput)
		b.ReportAllocs()
		for b.Loop() {
			v := hmac.New(sha256.New, benchSecret)
			v.Write(data)
			if !hmac.Equal(v.Sum(nil), sig) {
				b.Fatal("bad")
			}
		}
	})
}

// BenchmarkCryptoSHA256 is a SHA-256 digest of the JWT-sized input.
// "js-await" is the floor any promise-returning API has in goja: making a
// promise and awaiting it.
func BenchmarkCryptoSHA256(b *testing.B) {
	b.Run("js", func(b *testing.B) {
		benchJS(b, `return {};`, `await crypto.subtle.digest("SHA-256", data);`)
	})
	b.Run("js-await", func(b *testing.B) {
		benchJS(b, `return {};`, `await Promise.resolve(data);`)
	})
	b.Run("go", func(b *testing.B) {
		data := []byte(jwtInput)
		b.ReportAllocs()
		for b.Loop() {
			sum := sha256.Sum256(data)
			_ = sum
		}
	})
}
