package edge

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/edgefn/edgefn/kv"
)

// kvRoutes serves the KV namespaces over the admin API (edgefn kv). System
// namespaces (names starting with _) are not reachable here.
func (a *Admin) kvRoutes(store *KVStore) {
	raw := store.Raw()
	nsOK := func(w http.ResponseWriter, ns string) bool {
		if kv.Reserved(ns) {
			writeError(w, http.StatusForbidden, "namespace "+ns+" is reserved for edgefn itself")
			return false
		}
		return true
	}
	kvFail := func(w http.ResponseWriter, err error) {
		switch {
		case errors.Is(err, kv.ErrNotFound):
			writeError(w, http.StatusNotFound, err.Error())
		case kv.IsInvalidInput(err):
			writeError(w, http.StatusBadRequest, err.Error())
		default:
			a.fail(w, err)
		}
	}
	a.mux.HandleFunc("GET /v1/kv", func(w http.ResponseWriter, r *http.Request) {
		all, err := raw.Namespaces()
		if err != nil {
			a.fail(w, err)
			return
		}
		out := []string{}
		for _, ns := range all {
			if !kv.Reserved(ns) {
				out = append(out, ns)
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
	a.mux.HandleFunc("GET /v1/kv/{ns}", func(w http.ResponseWriter, r *http.Request) {
		ns := r.PathValue("ns")
		if !nsOK(w, ns) {
			return
		}
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		res, err := raw.List(ns, kv.ListOptions{Prefix: q.Get("prefix"), Limit: limit, Cursor: q.Get("cursor")})
		if err != nil {
			kvFail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
	a.mux.HandleFunc("GET /v1/kv/{ns}/{key...}", func(w http.ResponseWriter, r *http.Request) {
		ns := r.PathValue("ns")
		if !nsOK(w, ns) {
			return
		}
		e, err := raw.Get(ns, r.PathValue("key"))
		if err != nil {
			kvFail(w, err)
			return
		}
		if len(e.Metadata) > 0 {
			w.Header().Set("X-Edgefn-Metadata", string(e.Metadata))
		}
		if e.Expiration != 0 {
			w.Header().Set("X-Edgefn-Expiration", strconv.FormatInt(e.Expiration, 10))
		}
		w.Header().Set("X-Edgefn-Version", versionHeader(e.Version))
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(e.Value)
	})
	a.mux.HandleFunc("PUT /v1/kv/{ns}/{key...}", func(w http.ResponseWriter, r *http.Request) {
		ns, key := r.PathValue("ns"), r.PathValue("key")
		if !nsOK(w, ns) {
			return
		}
		value, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 26<<20))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "the value exceeds the upload limit")
			return
		}
		q := r.URL.Query()
		var o kv.PutOptions
		if s := q.Get("expiration"); s != "" {
			if o.Expiration, err = strconv.ParseInt(s, 10, 64); err != nil {
				writeError(w, http.StatusBadRequest, "expiration must be a Unix time in seconds")
				return
			}
		}
		if s := q.Get("expiration_ttl"); s != "" {
			if o.ExpirationTTL, err = strconv.ParseInt(s, 10, 64); err != nil {
				writeError(w, http.StatusBadRequest, "expiration_ttl must be seconds")
				return
			}
		}
		if m := r.Header.Get("X-Edgefn-Metadata"); m != "" {
			o.Metadata = []byte(m)
		}
		v, err := raw.Put(ns, key, value, o)
		if err != nil {
			kvFail(w, err)
			return
		}
		w.Header().Set("X-Edgefn-Version", versionHeader(v))
		a.audit(r, "kv.put", "namespace", ns, "key", key, "size", len(value))
		w.WriteHeader(http.StatusNoContent)
	})
	a.mux.HandleFunc("DELETE /v1/kv/{ns}/{key...}", func(w http.ResponseWriter, r *http.Request) {
		ns := r.PathValue("ns")
		if !nsOK(w, ns) {
			return
		}
		v, err := raw.Delete(ns, r.PathValue("key"))
		if err != nil {
			kvFail(w, err)
			return
		}
		w.Header().Set("X-Edgefn-Version", versionHeader(v))
		a.audit(r, "kv.delete", "namespace", ns, "key", r.PathValue("key"))
		w.WriteHeader(http.StatusNoContent)
	})
}

// versionHeader renders a record's version for X-Edgefn-Version: its HLC
// timestamp (decimal) and the node that wrote it, "HLC/NODE". Versions
// order writes as replication does (HLC, then node name).
func versionHeader(v kv.Version) string { return strconv.FormatUint(uint64(v.HLC), 10) + "/" + v.Node }
