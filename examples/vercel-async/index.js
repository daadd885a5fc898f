// A default-exported async arrow function, as Vercel Edge and Netlify accept.
export default async (req) => {
  const body = req.method === "POST" ? await req.text() : "";
  return new Response(`you sent ${body.length} bytes\n`);
};
