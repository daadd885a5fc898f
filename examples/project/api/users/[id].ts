// /api/users/:id -> Next.js route handlers; params arrive in the context.
export function GET(request: Request, context: { params: { id: string } }): Response {
  return Response.json({ id: context.params.id });
}

export async function DELETE(request: Request, context: { params: { id: string } }): Promise<Response> {
  return new Response(null, { status: 204 });
}
