package edge

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium, installing it when missing if this
// process may; it skips the test, saying why, only when it cannot.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("EDGEFN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if _, err := exec.LookPath("apt-get"); err != nil || os.Geteuid() != 0 {
		t.Skip("chromium is not installed and this test cannot install it (needs root and apt-get); install Debian's chromium to run it")
	}
	out, err := exec.Command("sh", "-c", "apt-get install -y -qq chromium || (apt-get update -qq && apt-get install -y -qq chromium)").CombinedOutput()
	if err != nil {
		t.Skipf("chromium is not installed and installing it failed: %v\n%s", err, out)
	}
	return "/usr/bin/chromium"
}

// TestDashboard signs in to the dashboard in headless Chromium and checks
// it shows a deployment with its live request count.
func TestDashboard(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	bin := chromium(t)
	c, _, base, _ := testAdmin(t)
	a := testArtifact("shop", "hi")
	if _, err := c.Deploy(context.Background(), "shop", archiveOf(t, a), true); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		getHost(t, base, "shop.edge.test", "/")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	if err := chromedp.Do(ctx,
		chromedp.Navigate(c.Server+"/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), "not-the-token"),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.Sleep(300*time.Millisecond),
	); err != nil {
		t.Fatal(err)
	}
	loginErr, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#login-error")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loginErr, "refused") {
		t.Fatalf("a wrong token was not refused: %q", loginErr)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#token"), testToken),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-name="shop"] td.requests`)),
	); err != nil {
		t.Fatal(err)
	}
	name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`tr[data-name="shop"] td:first-child`)))
	if err != nil {
		t.Fatal(err)
	}
	requests, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`tr[data-name="shop"] td.requests`)))
	if err != nil {
		t.Fatal(err)
	}
	if name != "shop" || requests != "7" {
		t.Fatalf("dashboard shows %q with %q requests, want shop with 7", name, requests)
	}
	// The count is live: more traffic shows up on the next refresh.
	for i := 0; i < 5; i++ {
		getHost(t, base, "shop.edge.test", "/")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if requests, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`tr[data-name="shop"] td.requests`))); err != nil {
			t.Fatal(err)
		}
		if n, _ := strconv.Atoi(requests); n == 12 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the request count did not update: %q", requests)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
