package edge

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Secrets are sealed with AES-256-GCM under a key every node of a cluster
// derives from the same material (the cluster key, or a local key file on a
// single node), so they replicate as ciphertext and are readable only by
// nodes. They reach handlers as env.KEY and process.env.KEY and are never
// returned by any API, list, log, error or metric: lists show names only,
// and the node redacts their values from console lines, tail events and
// error messages.

// ErrSecret is wrapped by errors about secrets (bad name, too large).
var ErrSecret = errors.New("invalid secret")

const maxSecretBytes = 64 << 10

// sealedSecret is a secret as stored.
type sealedSecret struct {
	Nonce      []byte    `json:"nonce"`
	Ciphertext []byte    `json:"ciphertext"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// SecretInfo is what a list of secrets shows: never the value.
type SecretInfo struct {
	Name      string    `json:"name"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// secretBox seals and opens secret values.
type secretBox struct{ aead cipher.AEAD }

// newSecretBox derives the sealing key from key material (at least 32
// bytes of secret randomness).
func newSecretBox(material []byte) (*secretBox, error) {
	if len(material) < 32 {
		return nil, errors.New("edge: secrets key material must be at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, material, nil, "edgefn secrets v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &secretBox{aead: aead}, nil
}

// seal binds the ciphertext to its deployment and name, so a record cannot
// be moved to another deployment's secrets.
func (b *secretBox) seal(deployment, name string, value []byte, now time.Time) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	s := sealedSecret{Nonce: nonce, Ciphertext: b.aead.Seal(nil, nonce, value, []byte(deployment+"/"+name)), UpdatedAt: now}
	return json.Marshal(s)
}

func (b *secretBox) open(deployment, name string, rec []byte) ([]byte, time.Time, error) {
	var s sealedSecret
	if err := json.Unmarshal(rec, &s); err != nil {
		return nil, time.Time{}, fmt.Errorf("edge: secret %s/%s is corrupt", deployment, name)
	}
	v, err := b.aead.Open(nil, s.Nonce, s.Ciphertext, []byte(deployment+"/"+name))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("edge: secret %s/%s cannot be opened with this node's key (was it sealed under another cluster key?)", deployment, name)
	}
	return v, s.UpdatedAt, nil
}

// SetSecretsKey enables secrets, sealing them under material.
func (p *Platform) SetSecretsKey(material []byte) error {
	box, err := newSecretBox(material)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.box = box
	p.mu.Unlock()
	return nil
}

func (p *Platform) secretsBox() (*secretBox, error) {
	if p.box == nil {
		return nil, errors.New("edge: secrets are not enabled on this node (no secrets key)")
	}
	return p.box, nil
}

// PutSecret sets a deployment's secret; the deployment restarts with it.
func (p *Platform) PutSecret(deployment, name string, value []byte) error {
	if !bindingRe.MatchString(name) {
		return fmt.Errorf("%w: %q is not a valid JavaScript identifier (it becomes env.%s)", ErrSecret, name, name)
	}
	if len(value) > maxSecretBytes {
		return fmt.Errorf("%w: %s is %d bytes; the limit is %d", ErrSecret, name, len(value), maxSecretBytes)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.deployment(deployment); err != nil {
		return err
	}
	box, err := p.secretsBox()
	if err != nil {
		return err
	}
	rec, err := box.seal(deployment, name, value, p.now().UTC())
	if err != nil {
		return err
	}
	if err := p.store.Put(nsSecrets, deployment+"/"+name, rec); err != nil {
		return fmt.Errorf("edge: store secret: %w", err)
	}
	return p.touch(deployment)
}

// DeleteSecret removes a secret.
func (p *Platform) DeleteSecret(deployment, name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.store.Get(nsSecrets, deployment+"/"+name); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("secret %s of %s: %w", name, deployment, ErrNotFound)
		}
		return err
	}
	if err := p.store.Delete(nsSecrets, deployment+"/"+name); err != nil {
		return err
	}
	return p.touch(deployment)
}

// touch bumps a deployment's record so every node reloads it (with its new
// secrets).
func (p *Platform) touch(deployment string) error {
	dr, err := p.deployment(deployment)
	if err != nil {
		return err
	}
	dr.UpdatedAt = p.now().UTC()
	dr.SecretsVersion++
	if err := p.putJSON(nsDeploy, "d/"+deployment, dr); err != nil {
		return err
	}
	return p.reconcileName(deployment)
}

// Secrets lists a deployment's secret names (never their values).
func (p *Platform) Secrets(deployment string) ([]SecretInfo, error) {
	if _, err := p.deployment(deployment); err != nil {
		return nil, err
	}
	keys, err := p.store.Keys(nsSecrets, deployment+"/")
	if err != nil {
		return nil, err
	}
	out := make([]SecretInfo, 0, len(keys))
	for _, k := range keys {
		info := SecretInfo{Name: strings.TrimPrefix(k, deployment+"/")}
		if rec, err := p.store.Get(nsSecrets, k); err == nil {
			var s sealedSecret
			if json.Unmarshal(rec, &s) == nil {
				info.UpdatedAt = s.UpdatedAt
			}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// secretValues opens a deployment's secrets for its handler.
func (p *Platform) secretValues(deployment string) (map[string]string, error) {
	keys, err := p.store.Keys(nsSecrets, deployment+"/")
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	box, err := p.secretsBox()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		rec, err := p.store.Get(nsSecrets, k)
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(k, deployment+"/")
		v, _, err := box.open(deployment, name, rec)
		if err != nil {
			return nil, err
		}
		out[name] = string(v)
	}
	return out, nil
}

// secretRoutes registers the secret endpoints of the admin API.
func (a *Admin) secretRoutes() {
	a.mux.HandleFunc("GET /v1/deployments/{name}/secrets", func(w http.ResponseWriter, r *http.Request) {
		list, err := a.platform.Secrets(r.PathValue("name"))
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, list)
	})
	a.mux.HandleFunc("PUT /v1/deployments/{name}/secrets/{key}", func(w http.ResponseWriter, r *http.Request) {
		buf, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSecretBytes))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a secret is at most %d bytes", maxSecretBytes))
			return
		}
		name, key := r.PathValue("name"), r.PathValue("key")
		if err := a.platform.PutSecret(name, key, buf); err != nil {
			a.fail(w, err)
			return
		}
		a.audit(r, "secret.put", "deployment", name, "secret", key)
		w.WriteHeader(http.StatusNoContent)
	})
	a.mux.HandleFunc("DELETE /v1/deployments/{name}/secrets/{key}", func(w http.ResponseWriter, r *http.Request) {
		name, key := r.PathValue("name"), r.PathValue("key")
		if err := a.platform.DeleteSecret(name, key); err != nil {
			a.fail(w, err)
			return
		}
		a.audit(r, "secret.delete", "deployment", name, "secret", key)
		w.WriteHeader(http.StatusNoContent)
	})
}

// redactHandler replaces a deployment's secret values in its log lines
// (console output, exceptions) with [redacted], before they reach the
// node's log or the live tail.
type redactHandler struct {
	next    slog.Handler
	secrets []string
}

// redactable returns the secret values worth redacting, longest first (a
// secret containing another is redacted whole); values under 4 bytes
// would redact ordinary text.
func redactable(secrets map[string]string) []string {
	var vals []string
	for _, v := range secrets {
		if len(v) >= 4 {
			vals = append(vals, v)
		}
	}
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	return vals
}

func newRedactHandler(next slog.Handler, vals []string) slog.Handler {
	if len(vals) == 0 {
		return next
	}
	return &redactHandler{next: next, secrets: vals}
}

func (h *redactHandler) redact(s string) string { return redact(h.secrets, s) }

// redact replaces every value of vals in s with [redacted].
func redact(vals []string, s string) string {
	for _, v := range vals {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// redactAttr redacts an attribute's text, inside groups too; values of any
// other kind (an error, a struct) are logged as their redacted text.
func (h *redactHandler) redactAttr(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString, slog.KindAny, slog.KindLogValuer:
		a.Value = slog.StringValue(h.redact(a.Value.Resolve().String()))
	case slog.KindGroup:
		g := a.Value.Group()
		out := make([]slog.Attr, len(g))
		for i, ga := range g {
			out[i] = h.redactAttr(ga)
		}
		a.Value = slog.GroupValue(out...)
	}
	return a
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.redactAttr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(red), secrets: h.secrets}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), secrets: h.secrets}
}
