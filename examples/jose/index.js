// JWTs with jose, unchanged: sign and verify with HS256 (a shared secret
// from env), ES256 and EdDSA (key pairs made at the first request and kept
// in the runtime), all on edgefn's crypto.subtle.
//
//   edgefn dev examples/jose
//   TOKEN=$(curl -s -XPOST localhost:8787/sign/HS256 -d '{"sub":"alice"}' | jq -r .token)
//   curl -H "authorization: Bearer $TOKEN" localhost:8787/verify/HS256
import { SignJWT, jwtVerify, generateKeyPair, exportJWK, createLocalJWKSet, decodeProtectedHeader, errors } from "jose";

const ISSUER = "urn:edgefn:example";
const AUDIENCE = "urn:edgefn:clients";

// One key pair per asymmetric algorithm, made once per runtime.
const pairs = new Map();
async function keys(alg, env) {
  if (alg === "HS256") {
    const secret = new TextEncoder().encode(env.JWT_SECRET ?? "a development secret of at least 32 bytes!");
    return { sign: secret, verify: secret };
  }
  if (alg !== "ES256" && alg !== "EdDSA") throw new RangeError(`unsupported alg ${alg}; use HS256, ES256 or EdDSA`);
  if (!pairs.has(alg)) {
    pairs.set(alg, generateKeyPair(alg, alg === "EdDSA" ? { crv: "Ed25519", extractable: true } : { extractable: true }));
  }
  const { privateKey, publicKey } = await pairs.get(alg);
  return { sign: privateKey, verify: publicKey };
}

const json = (v, status = 200) => Response.json(v, { status });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, action, alg] = url.pathname.split("/");
    try {
      if (request.method === "POST" && action === "sign") {
        const claims = await request.json().catch(() => ({}));
        const { sign } = await keys(alg, env);
        const token = await new SignJWT(claims)
          .setProtectedHeader({ alg, typ: "JWT", kid: alg.toLowerCase() })
          .setIssuedAt()
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime(url.searchParams.get("exp") ?? "2h")
          .sign(sign);
        return json({ token });
      }
      if (action === "verify") {
        const token = (request.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "");
        if (!token) return json({ error: "send the token as Authorization: Bearer <token>" }, 401);
        const header = decodeProtectedHeader(token);
        if (header.alg !== alg) return json({ error: `expected a ${alg} token, got ${header.alg}` }, 401);
        const { verify } = await keys(alg, env);
        const { payload, protectedHeader } = await jwtVerify(token, verify, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
        return json({ valid: true, alg: protectedHeader.alg, payload });
      }
      if (action === "jwks") {
        const out = [];
        for (const a of ["ES256", "EdDSA"]) {
          const { verify } = await keys(a, env);
          out.push({ ...(await exportJWK(verify)), alg: a, kid: a.toLowerCase(), use: "sig" });
        }
        return json({ keys: out });
      }
      if (action === "verify-jwks") {
        // Verify against the published key set, as a relying party would.
        const token = (request.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "");
        const jwks = await (await this.fetch(new Request(new URL("/jwks", url)), env)).json();
        const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: AUDIENCE });
        return json({ valid: true, payload });
      }
      return json({ error: "POST /sign/:alg, GET /verify/:alg, GET /jwks" }, 404);
    } catch (e) {
      if (e instanceof errors.JOSEError) return json({ valid: false, code: e.code, error: e.message }, 401);
      if (e instanceof RangeError) return json({ error: e.message }, 400);
      throw e;
    }
  },
};
