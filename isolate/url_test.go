package isolate

import (
	"os"
	"strings"
	"testing"
)

// urlHarness runs WPT's url-constructor and url-setters cases.
const urlHarness = `
const props = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];
let passed = 0, total = 0;
const fail = (id, why) => console.log("FAIL " + id + ": " + why);
parse.forEach((c, i) => {
  if (typeof c === "string") return;
  total++;
  const id = "parse " + i + " " + JSON.stringify(c.input) + (c.base ? " base " + JSON.stringify(c.base) : "");
  const base = c.base === null ? undefined : c.base;
  let u;
  try { u = new URL(c.input, base); } catch (e) {
    if (c.failure && e instanceof TypeError && !URL.canParse(c.input, base) && URL.parse(c.input, base) === null) passed++;
    else fail(id, "threw " + e);
    return;
  }
  if (c.failure) return fail(id, "parsed to " + u.href + ", want failure");
  for (const p of props) {
    if (p === "origin" && !("origin" in c)) continue;
    if (u[p] !== c[p]) return fail(id, p + " is " + JSON.stringify(u[p]) + ", want " + JSON.stringify(c[p]));
  }
  if ("searchParams" in c && u.searchParams.toString() !== c.searchParams) return fail(id, "searchParams is " + u.searchParams);
  if (!URL.canParse(c.input, base)) return fail(id, "canParse is false");
  passed++;
});
for (const attr in setters) {
  if (attr === "comment") continue;
  setters[attr].forEach((c, i) => {
    total++;
    const id = "set " + attr + " " + i + " " + JSON.stringify(c.href) + " = " + JSON.stringify(c.new_value);
    const u = new URL(c.href);
    u[attr] = c.new_value;
    for (const p in c.expected) {
      if (u[p] !== c.expected[p]) return fail(id, p + " is " + JSON.stringify(u[p]) + ", want " + JSON.stringify(c.expected[p]));
    }
    passed++;
  });
}
console.log("passed " + passed + " of " + total);
`

func TestURLWPT(t *testing.T) {
	parse, err := os.ReadFile("testdata/url/urltestdata.json")
	if err != nil {
		t.Fatal(err)
	}
	setters, err := os.ReadFile("testdata/url/setters_tests.json")
	if err != nil {
		t.Fatal(err)
	}
	out := runSnippet(t, "const parse = "+string(parse)+";\nconst setters = "+string(setters)+";\n"+urlHarness)
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "FAIL ") {
			continue
		}
		t.Error(line)
	}
	if !strings.Contains(out, "passed ") {
		t.Fatalf("the harness did not finish:\n%s", out)
	}
	t.Log(out[strings.LastIndex(out, "passed "):])
}
