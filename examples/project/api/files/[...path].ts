// /api/files/a/b/c -> a catch-all; Workers module syntax works too.
export default {
  fetch(request: Request, env: { GREETING: string }, ctx: { params: { path: string } }): Response {
    return Response.json({ path: ctx.params.path, greeting: env.GREETING });
  },
};
