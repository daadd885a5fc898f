// GET /api/hello -> a Vercel Edge style default export.
export default function handler(request: Request): Response {
  return new Response(`${process.env.GREETING} from a file route\n`);
}
