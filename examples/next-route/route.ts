// Next.js route handlers: one export per HTTP method. A method not exported
// is answered 405 with an Allow header.
export async function GET(request: Request): Promise<Response> {
  return Response.json({ items: ["a", "b"] });
}

export async function POST(request: Request): Promise<Response> {
  const item = await request.json();
  return Response.json({ created: item }, { status: 201 });
}
