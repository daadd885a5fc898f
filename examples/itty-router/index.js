// An itty-router app, unchanged: AutoRouter formats returned values as JSON
// and answers 404 for unmatched routes.
//
//   edgefn dev examples/itty-router
//   curl localhost:8787/items/1
//
// It keeps no state of its own: a deployment runs several runtimes (and
// nodes), each with its own module globals, so anything that must outlive
// one request belongs in a KV namespace, not in a module-level Map.
import { AutoRouter, error, json, status } from "itty-router";

const catalog = [
  { id: "1", name: "first" },
  { id: "2", name: "second" },
];
const find = (id) => catalog.find((item) => item.id === id);

// A middleware: returning nothing passes the request on.
const withVersion = (request) => {
  request.version = request.headers.get("x-api-version") ?? "1";
};

const router = AutoRouter({
  before: [withVersion],
  finally: [(response, request) => {
    response.headers.set("x-api-version", request.version);
    return response;
  }],
  catch: (err) => error(500, { error: err.message }),
});

router
  .get("/", () => "itty-router on edgefn")
  .get("/items", () => catalog)
  .get("/items/:id", ({ params }) => find(params.id) ?? error(404, { error: `no item ${params.id}` }))
  .post("/items", async (request) => {
    const body = await request.json().catch(() => null);
    if (!body || typeof body.name !== "string") return error(400, { error: "send {\"name\": ...}" });
    return json({ id: crypto.randomUUID(), name: body.name }, { status: 201 });
  })
  .delete("/items/:id", ({ params }) => (find(params.id) ? status(204) : error(404)))
  .get("/files/:path+", ({ params, query }) => ({ path: params.path, query }));

export default router;
