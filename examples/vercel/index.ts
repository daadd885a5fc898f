// A Vercel Edge / Netlify style handler: a default-exported function.
export default function handler(request: Request): Response {
  const { pathname } = new URL(request.url);
  return Response.json({ runtime: "edgefn", path: pathname, method: request.method });
}
