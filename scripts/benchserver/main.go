// Command benchserver is the bare fasthttp baseline scripts/bench compares edgefn with.
//
//	GET /                -> text/plain "hello"
//	GET /json?name=x     -> application/json {"hello":"x","n":[1,2,3]} (marshalled per request)
//	GET /hono/users/:id  -> application/json {"id":"<id>","name":"user<id>","tags":["bench","hono","edge"]}
//	                        (marshalled per request) plus header `x-powered: bench`: the native
//	                        equivalent of handlers/src/hono.src.js. Like that Hono app, the /hono/
//	                        subtree goes through one middleware (poweredBy) and answers 404
//	                        "404 Not Found" for paths its one route does not match.
//	GET /fetch?port=N    -> fetches http://127.0.0.1:N/json?name=x with net/http (one shared
//	                        transport, connections kept alive), answers its body with
//	                        content-type application/json and x-upstream-status: the native
//	                        equivalent of bench-handlers/fetch/index.js.
//
// Usage: benchserver -listen 127.0.0.1:PORT
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

type jsonBody struct {
	Hello string `json:"hello"`
	N     []int  `json:"n"`
}

type user struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

var honoUsersPrefix = []byte("/hono/users/")

// poweredBy is the one middleware of the /hono/ app: run the handler, then stamp the response.
func poweredBy(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		next(ctx)
		ctx.Response.Header.Set("x-powered", "bench")
	}
}

// honoApp routes GET /hono/users/:id (one non-empty path segment); anything else is 404.
func honoApp(ctx *fasthttp.RequestCtx) {
	path := ctx.Path()
	var id []byte
	if bytes.HasPrefix(path, honoUsersPrefix) {
		id = path[len(honoUsersPrefix):]
	}
	if !ctx.IsGet() || len(id) == 0 || bytes.IndexByte(id, '/') >= 0 {
		ctx.SetStatusCode(fasthttp.StatusNotFound)
		ctx.SetContentType("text/plain; charset=UTF-8")
		ctx.SetBodyString("404 Not Found")
		return
	}
	ids := string(id)
	b, err := json.Marshal(user{ID: ids, Name: "user" + ids, Tags: []string{"bench", "hono", "edge"}})
	if err != nil {
		ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
		return
	}
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}

// upstream is the client of /fetch: one transport, like edgefn's per deployment.
var upstream = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 32, IdleConnTimeout: 90 * time.Second}}

// proxyFetch answers /fetch?port=N with the body of the upstream's /json.
func proxyFetch(ctx *fasthttp.RequestCtx) {
	port, err := strconv.Atoi(string(ctx.QueryArgs().Peek("port")))
	if err != nil {
		ctx.Error("port: "+err.Error(), fasthttp.StatusBadRequest)
		return
	}
	res, err := upstream.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/json?name=x")
	if err != nil {
		ctx.Error(err.Error(), fasthttp.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ctx.Error(err.Error(), fasthttp.StatusBadGateway)
		return
	}
	if res.StatusCode != 200 {
		ctx.SetStatusCode(fasthttp.StatusBadGateway)
	}
	ctx.Response.Header.Set("x-upstream-status", strconv.Itoa(res.StatusCode))
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "listen address")
	flag.Parse()

	hono := poweredBy(honoApp)
	handler := func(ctx *fasthttp.RequestCtx) {
		path := ctx.Path()
		switch {
		case string(path) == "/json":
			b, err := json.Marshal(jsonBody{
				Hello: string(ctx.QueryArgs().Peek("name")),
				N:     []int{1, 2, 3},
			})
			if err != nil {
				ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
				return
			}
			ctx.SetContentType("application/json")
			ctx.SetBody(b)
		case bytes.HasPrefix(path, []byte("/hono/")):
			hono(ctx)
		case string(path) == "/fetch":
			proxyFetch(ctx)
		default:
			ctx.SetContentType("text/plain;charset=UTF-8")
			ctx.SetBodyString("hello")
		}
	}

	s := &fasthttp.Server{Handler: handler, Name: "benchserver"}
	log.Printf("benchserver listening on %s", *listen)
	if err := s.ListenAndServe(*listen); err != nil {
		log.Fatal(err)
	}
}
