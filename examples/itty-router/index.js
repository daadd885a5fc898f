// An itty-router app, unchanged: AutoRouter formats returned values as JSON
// and answers 404 for unmatched routes.
//
//   edgefn dev examples/itty-router
//   curl localhost:8787/items/7
import { AutoRouter, error, json, status } from "itty-router";

const items = new Map([["1", { id: "1", name: "first" }]]);

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
  .get("/items", () => [...items.values()])
  .get("/items/:id", ({ params }) => items.get(params.id) ?? error(404, { error: `no item ${params.id}` }))
  .post("/items", async (request) => {
    const body = await request.json().catch(() => null);
    if (!body || typeof body.name !== "string") return error(400, { error: "send {\"name\": ...}" });
    const item = { id: String(items.size + 1), name: body.name };
    items.set(item.id, item);
    return json(item, { status: 201 });
  })
  .delete("/items/:id", ({ params }) => (items.delete(params.id) ? status(204) : error(404)))
  .get("/files/:path+", ({ params, query }) => ({ path: params.path, query }));

export default router;
