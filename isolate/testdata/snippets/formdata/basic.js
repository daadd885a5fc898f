const fd = new FormData();
fd.append("a", "1");
fd.append("b", new Blob(["blob data"], { type: "application/x-thing" }));
fd.append("c", new File(["file data"], "c.txt", { type: "text/plain" }));
fd.append("a", 2);
fd.append("d", new Blob(["renamed"]), "d.bin");
console.log(String(fd), fd.has("a"), fd.has("z"), fd.get("a"), JSON.stringify(fd.getAll("a")), fd.get("z"));
const b = fd.get("b");
console.log("blob became a File:", b instanceof File, b.name, b.type, fd.get("d").name);
for (const [k, v] of fd) console.log(k, typeof v === "string" ? v : v.constructor.name + ":" + v.name);
console.log([...fd.keys()].join(","), fd.values().next().value);
fd.set("a", "only");
console.log("after set", JSON.stringify(fd.getAll("a")), [...fd.keys()].join(","));
fd.delete("b");
console.log("after delete", [...fd.keys()].join(","));
fd.forEach((v, k, self) => { if (k === "c") console.log("forEach", k, v.name, self === fd); });

// As a body: multipart/form-data with a boundary, parsed back.
const res = new Response(fd);
const ct = res.headers.get("content-type");
console.log(ct.startsWith("multipart/form-data; boundary="));
const text = await res.clone().text();
console.log(text.includes('Content-Disposition: form-data; name="c"; filename="c.txt"\r\nContent-Type: text/plain\r\n\r\nfile data\r\n'));
const back = await res.formData();
for (const [k, v] of back) console.log("parsed", k, typeof v === "string" ? JSON.stringify(v) : v.constructor.name + ":" + v.name + ":" + v.type + ":" + (await v.text()));

// urlencoded both ways.
const form = await new Request("https://x/", { method: "POST", body: new URLSearchParams("x=1&y=h%C3%A9+llo&x=2") }).formData();
console.log("urlencoded", JSON.stringify(form.getAll("x")), form.get("y"));
const raw = await new Response("a=%ZZ&b&=c&&d=%41+", { headers: { "content-type": "application/x-www-form-urlencoded" } }).formData();
console.log(JSON.stringify([...raw]));

// Names and filenames with quotes and newlines are escaped.
const odd = new FormData();
odd.append('q"uote\nd', "v\nx");
odd.append("f", new Blob(["z"]), 'we"ird.txt');
const oddText = await new Response(odd).text();
console.log(oddText.includes('name="q%22uote%0D%0Ad"'), oddText.includes("v\r\nx"), oddText.includes('filename="we%22ird.txt"'));
const oddBack = await new Response(odd).formData();
console.log(JSON.stringify([...oddBack.keys()]));

// Errors.
for (const f of [
  () => new FormData(5),
  () => new FormData().append("a"),
  () => new FormData().append("a", "b", "c"),
  () => new FormData().get(),
  () => FormData.prototype.get.call({}, "a"),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
for (const [body, ct] of [
  ["plain", "text/plain"],
  ["x", undefined],
  ["--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n", "multipart/form-data; boundary=b"],
  ["--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--\r\n", "multipart/form-data; boundary=b"],
  ["", "multipart/form-data"],
]) {
  try {
    await new Response(body, ct ? { headers: { "content-type": ct } } : {}).formData();
    console.log("no error");
  } catch (e) { console.log(e.name + ": " + e.message); }
}
