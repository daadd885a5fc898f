package edge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls a node's admin API (the CLI's deploy, versions, rollback,
// split, delete, list, secret, kv and tail commands).
type Client struct {
	// Server is the admin API's base URL, e.g. http://127.0.0.1:9080.
	Server string
	// Token is the bearer token.
	Token string
	// HTTP is the client to use; nil means a default with timeouts.
	HTTP *http.Client
}

// APIError is an error answer from the admin API.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	if e.Status == http.StatusUnauthorized {
		return "the admin API refused the token (401): check --token or EDGEFN_TOKEN"
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Minute}
}

// Do sends a request and decodes a JSON answer into out (if not nil).
func (c *Client) Do(ctx context.Context, method, path string, body io.Reader, contentType string, out any) error {
	if c.Server == "" {
		return errors.New("no server: pass --server URL or set EDGEFN_SERVER")
	}
	u, err := url.JoinPath(c.Server, path)
	if err != nil {
		return fmt.Errorf("bad --server %q: %w", c.Server, err)
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		u, _ = url.JoinPath(c.Server, path[:i])
		u += path[i:]
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", c.Server, err)
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return &APIError{Status: res.StatusCode, Message: e.Error}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		return nil
	}
	if raw, ok := out.(interface{ SetRaw([]byte) }); ok {
		b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
		if err != nil {
			return err
		}
		raw.SetRaw(b)
		return nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("bad answer from %s: %w", c.Server, err)
	}
	return nil
}

func (c *Client) doJSON(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	return c.Do(ctx, method, path, body, "application/json", out)
}

// Deploy uploads an artifact archive.
func (c *Client) Deploy(ctx context.Context, name string, archive io.Reader, activate bool) (*DeployResult, error) {
	var rec DeployResult
	path := "/v1/deployments/" + url.PathEscape(name) + "/versions"
	if !activate {
		path += "?activate=false"
	}
	if err := c.Do(ctx, http.MethodPost, path, archive, "application/gzip", &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// List lists deployments.
func (c *Client) List(ctx context.Context) ([]DeploymentInfo, error) {
	var out []DeploymentInfo
	return out, c.doJSON(ctx, http.MethodGet, "/v1/deployments", nil, &out)
}

// Versions lists a deployment's versions.
func (c *Client) Versions(ctx context.Context, name string) ([]VersionRecord, error) {
	var out []VersionRecord
	return out, c.doJSON(ctx, http.MethodGet, "/v1/deployments/"+url.PathEscape(name)+"/versions", nil, &out)
}

// Rollback activates version to (0: the previous one).
func (c *Client) Rollback(ctx context.Context, name string, to int) (int, error) {
	var out struct {
		Active int `json:"active"`
	}
	err := c.doJSON(ctx, http.MethodPost, "/v1/deployments/"+url.PathEscape(name)+"/rollback", map[string]int{"to": to}, &out)
	return out.Active, err
}

// Split sets a traffic split.
func (c *Client) Split(ctx context.Context, name string, split []SplitEntry) error {
	return c.doJSON(ctx, http.MethodPut, "/v1/deployments/"+url.PathEscape(name)+"/split", split, nil)
}

// Delete deletes a deployment.
func (c *Client) Delete(ctx context.Context, name string) error {
	return c.doJSON(ctx, http.MethodDelete, "/v1/deployments/"+url.PathEscape(name), nil, nil)
}

// PutSecret sets a deployment's secret.
func (c *Client) PutSecret(ctx context.Context, name, key string, value []byte) error {
	return c.Do(ctx, http.MethodPut, "/v1/deployments/"+url.PathEscape(name)+"/secrets/"+url.PathEscape(key),
		bytes.NewReader(value), "application/octet-stream", nil)
}

// Secrets lists a deployment's secret names.
func (c *Client) Secrets(ctx context.Context, name string) ([]SecretInfo, error) {
	var out []SecretInfo
	return out, c.doJSON(ctx, http.MethodGet, "/v1/deployments/"+url.PathEscape(name)+"/secrets", nil, &out)
}

// DeleteSecret removes a secret.
func (c *Client) DeleteSecret(ctx context.Context, name, key string) error {
	return c.doJSON(ctx, http.MethodDelete, "/v1/deployments/"+url.PathEscape(name)+"/secrets/"+url.PathEscape(key), nil, nil)
}

// PutKV writes a KV value (path as the admin API names it).
func (c *Client) PutKV(ctx context.Context, path string, value []byte, metadata string) error {
	if metadata == "" {
		return c.Do(ctx, http.MethodPut, path, bytes.NewReader(value), "application/octet-stream", nil)
	}
	return c.doRaw(ctx, http.MethodPut, path, bytes.NewReader(value), map[string]string{"X-Edgefn-Metadata": metadata})
}

func (c *Client) doRaw(ctx context.Context, method, path string, body io.Reader, headers map[string]string) error {
	u, err := url.JoinPath(c.Server, path)
	if err != nil {
		return err
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		u, _ = url.JoinPath(c.Server, path[:i])
		u += path[i:]
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", c.Server, err)
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return &APIError{Status: res.StatusCode, Message: e.Error}
	}
	return nil
}

// Tail streams live events matching f until ctx ends or the connection
// drops; each event goes to fn.
func (c *Client) Tail(ctx context.Context, f TailFilter, fn func(TailEvent)) error {
	q := url.Values{}
	if f.Deployment != "" {
		q.Set("deployment", f.Deployment)
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.Method != "" {
		q.Set("method", f.Method)
	}
	if f.Sample > 0 {
		q.Set("sample", strconv.FormatFloat(f.Sample, 'f', -1, 64))
	}
	u, err := url.JoinPath(c.Server, "/v1/tail")
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "text/event-stream")
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", c.Server, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return &APIError{Status: res.StatusCode, Message: e.Error}
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev TailEvent
		if json.Unmarshal([]byte(line), &ev) == nil {
			fn(ev)
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("the node closed the tail")
}
