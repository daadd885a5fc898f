// JWTs with jose, unchanged: sign and verify with HS256 (a shared secret),
// ES256 and EdDSA (private keys as JWKs), all on edgefn's crypto.subtle.
// Every runtime of every node must sign with the same keys: they come from
// env (set JWT_SECRET, ES256_PRIVATE_JWK and EDDSA_PRIVATE_JWK as secrets),
// with development keys below for trying it out. Never deploy those.
//
//   edgefn dev examples/jose
//   TOKEN=$(curl -s -XPOST localhost:8787/sign/HS256 -d '{"sub":"alice"}' | jq -r .token)
//   curl -H "authorization: Bearer $TOKEN" localhost:8787/verify/HS256
import { SignJWT, jwtVerify, importJWK, exportJWK, createLocalJWKSet, decodeProtectedHeader, errors } from "jose";

const ISSUER = "urn:edgefn:example";
const AUDIENCE = "urn:edgefn:clients";

const DEV_KEYS = {
  ES256: { kty: "EC", crv: "P-256", x: "YOrnUh7DnSvaYh-kK52B7cOZ7ytHCdBaIwDYbA89kpc", y: "_xj0fyvA-NRquz87PZGA_E_X5IiQDDHygCIQf2tScnI", d: "k7sofJau2oueMb4PizKSCMgf3_WGZy-4US0UyyBnLjI" },
  EdDSA: { kty: "OKP", crv: "Ed25519", x: "C129pP7n8TdS1xJQrUKwlFDEvDq2nAH-i50vYJR6tBU", d: "hRZ4aAAPWdsDn-5tOzJsTyk0vPfN67pWblccoHUznwI" },
};

// Imported keys, per algorithm, kept by the runtime after the first use.
const imported = new Map();
async function keys(alg, env) {
  if (alg === "HS256") {
    const secret = new TextEncoder().encode(env.JWT_SECRET ?? "a development secret of at least 32 bytes!");
    return { sign: secret, verify: secret };
  }
  if (alg !== "ES256" && alg !== "EdDSA") throw new RangeError(`unsupported alg ${alg}; use HS256, ES256 or EdDSA`);
  if (!imported.has(alg)) {
    const configured = env[alg === "ES256" ? "ES256_PRIVATE_JWK" : "EDDSA_PRIVATE_JWK"];
    const jwk = configured ? JSON.parse(configured) : DEV_KEYS[alg];
    const { d, ...pub } = jwk;
    imported.set(alg, Promise.all([importJWK(jwk, alg), importJWK(pub, alg, { extractable: true })])
      .then(([sign, verify]) => ({ sign, verify })));
  }
  return imported.get(alg);
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
