// A Hono app, unchanged: edgefn bundles it with esbuild and serves
// app.fetch as a module handler.
//
//   edgefn dev examples/hono
//   curl localhost:8787/users/42
import { Hono } from "hono";

type User = { id: string; name: string };

const app = new Hono();

// Middleware: runs around every route, sets a header on the response.
app.use("*", async (c, next) => {
  const start = Date.now();
  await next();
  c.header("x-powered-by", "edgefn+hono");
  c.header("x-elapsed-ms", String(Date.now() - start));
});

app.get("/", (c) => c.text("Hono on edgefn"));

app.get("/users/:id", (c) => {
  const id = c.req.param("id");
  const user: User = { id, name: "user" + id };
  return c.json(user);
});

app.get("/posts/:post/comments/:comment", (c) => c.json(c.req.param()));

app.get("/search", (c) => c.json({ q: c.req.query("q") ?? null, tags: c.req.queries("tag") ?? [] }));

app.post("/users", async (c) => {
  let body: Partial<User>;
  try {
    body = await c.req.json();
  } catch {
    return c.json({ error: "the body must be JSON" }, 400);
  }
  if (typeof body.name !== "string") return c.json({ error: "name is required" }, 422);
  return c.json({ created: { id: crypto.randomUUID(), name: body.name } }, 201);
});

app.get("/boom", () => {
  throw new Error("something broke");
});

app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));

app.onError((err, c) => c.json({ error: err.message }, 500));

export default app;
