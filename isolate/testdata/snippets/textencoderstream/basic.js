const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join(" ");
const enc = new TextEncoderStream();
console.log(String(enc), enc.encoding, enc.readable instanceof ReadableStream, enc.writable instanceof WritableStream);
const out = [];
// A surrogate pair split across two chunks is encoded as one code point;
// an empty chunk gives no output.
const pieces = ["hi ", "\uD83D", "\uDE00", "", " é", 42];
const done = ReadableStream.from(pieces).pipeThrough(enc).pipeTo(new WritableStream({ write(c) { out.push(hex(c)); } }));
await done;
console.log(out.join(" | "));

// A lone lead surrogate at the end becomes U+FFFD on flush; lone
// surrogates inside become U+FFFD too.
const lone = [];
await ReadableStream.from(["a\uD800b", "\uDBFF"]).pipeThrough(new TextEncoderStream()).pipeTo(new WritableStream({ write(c) { lone.push(hex(c)); } }));
console.log(lone.join(" | "));
try { Object.getOwnPropertyDescriptor(TextEncoderStream.prototype, "readable").get.call({}); } catch (e) { console.log(e.name + ": " + e.message); }
