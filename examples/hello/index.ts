// A Workers-style module handler: `edgefn dev examples/hello`.
interface Env {
  GREETING?: string;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "world";
    // Work that may finish after the response is sent.
    ctx.waitUntil(Promise.resolve().then(() => console.log("served", url.pathname)));
    return new Response(`${env.GREETING ?? "hello"}, ${name}!\n`, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
