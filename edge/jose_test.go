package edge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestJoseExample(t *testing.T) {
	n, base := testNode(t, func(c *Config) { roomyCPU(c); c.ExposeErrors = true })
	deploy(t, n, "jose", script(t, filepath.Join("..", "examples", "jose")))
	bearer := func(method, path, token string) reply {
		req, _ := http.NewRequest(method, base+path, nil)
		req.Header.Set("authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		return reply{res.StatusCode, res.Header, b.String()}
	}
	for _, alg := range []string{"HS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			r := send(t, "POST", base+"/sign/"+alg, `{"sub":"alice","role":"admin"}`)
			var signed struct{ Token string }
			if err := json.Unmarshal([]byte(r.body), &signed); err != nil || r.status != 200 || strings.Count(signed.Token, ".") != 2 {
				t.Fatalf("sign: %d %s", r.status, r.body)
			}
			r = bearer("GET", "/verify/"+alg, signed.Token)
			if r.status != 200 || !strings.Contains(r.body, `"valid":true,"alg":"`+alg+`"`) || !strings.Contains(r.body, `"sub":"alice","role":"admin"`) {
				t.Fatalf("verify: %d %s", r.status, r.body)
			}
			// A changed payload breaks the signature.
			parts := strings.Split(signed.Token, ".")
			forged := parts[0] + "." + strings.TrimRight(parts[1], "=") + "x." + parts[2]
			if r := bearer("GET", "/verify/"+alg, forged); r.status != 401 || !strings.Contains(r.body, `"valid":false`) {
				t.Fatalf("forged token: %d %s", r.status, r.body)
			}
			// So does a flipped signature.
			sig, err := base64.RawURLEncoding.DecodeString(parts[2])
			if err != nil {
				t.Fatal(err)
			}
			sig[len(sig)/2] ^= 1
			if r := bearer("GET", "/verify/"+alg, parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(sig)); r.status != 401 || !strings.Contains(r.body, `"code":"ERR_JWS_SIGNATURE_VERIFICATION_FAILED"`) {
				t.Fatalf("bad signature: %d %s", r.status, r.body)
			}
			if alg != "HS256" {
				if r := bearer("GET", "/verify-jwks/x", signed.Token); r.status != 200 || !strings.Contains(r.body, `"sub":"alice"`) {
					t.Fatalf("verify against the JWKS: %d %s", r.status, r.body)
				}
			}
		})
	}
	// Every runtime signs with the same keys: a token verifies wherever it
	// lands, with requests spread over several runtimes at once.
	t.Run("across runtimes", func(t *testing.T) {
		r := send(t, "POST", base+"/sign/ES256", `{"sub":"carol"}`)
		var signed struct{ Token string }
		if err := json.Unmarshal([]byte(r.body), &signed); err != nil {
			t.Fatalf("sign: %d %s", r.status, r.body)
		}
		errs := make(chan string, 8)
		for i := 0; i < 8; i++ {
			go func() {
				req, _ := http.NewRequest("GET", base+"/verify/ES256", nil)
				req.Header.Set("authorization", "Bearer "+signed.Token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					errs <- string(b)
					return
				}
				errs <- ""
			}()
		}
		for i := 0; i < 8; i++ {
			if e := <-errs; e != "" {
				t.Errorf("verify: %s", e)
			}
		}
	})
	t.Run("expired", func(t *testing.T) {
		r := send(t, "POST", base+"/sign/HS256?exp=-10s", `{"sub":"bob"}`)
		var signed struct{ Token string }
		if err := json.Unmarshal([]byte(r.body), &signed); err != nil {
			t.Fatalf("sign: %d %s", r.status, r.body)
		}
		if r := bearer("GET", "/verify/HS256", signed.Token); r.status != 401 || !strings.Contains(r.body, `"code":"ERR_JWT_EXPIRED"`) {
			t.Fatalf("expired token: %d %s", r.status, r.body)
		}
	})
	t.Run("jwks", func(t *testing.T) {
		r := send(t, "GET", base+"/jwks", "")
		if r.status != 200 || !strings.Contains(r.body, `"crv":"P-256"`) || !strings.Contains(r.body, `"crv":"Ed25519"`) || strings.Contains(r.body, `"d":`) {
			t.Fatalf("jwks: %d %s", r.status, r.body)
		}
	})
}
