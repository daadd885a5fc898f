import { greet } from "greeter";
import data from "./data.json";
import { fail } from "./lib/fail";

type Mode = "ok" | "fail";

export default {
  fetch(request: Request): Response {
    const mode: Mode = new URL(request.url).pathname === "/fail" ? "fail" : "ok";
    if (mode === "fail") fail();
    return Response.json({ greeting: greet(data.name), env: process.env.NODE_ENV });
  },
};
