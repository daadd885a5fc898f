package edge

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// browserGuard refuses admin calls a browser could have been led to make
// for someone else ("" lets the call through): a Host that is not this
// node's (DNS rebinding: an attacker's page, its name re-pointed at the
// admin address, calling the API as same-origin), and cross-site requests
// (an Origin other than the API's own, or Sec-Fetch-Site: cross-site). The
// bearer token is still required after it: the guard keeps such pages from
// even probing the API or spending the operator's failed-login allowance.
// Clients that are not browsers send neither Origin nor Sec-Fetch-Site.
func (a *Admin) browserGuard(r *http.Request) string {
	if a.cfg.TLSCert == "" && !a.hostAllowed(r.Host) {
		return "host " + strconv.Quote(r.Host) + " is not allowed: add it to admin.allowed_hosts (this guards against DNS rebinding), or reach the API by IP address or localhost"
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return "cross-origin request refused (Origin " + strconv.Quote(o) + ")"
		}
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return "cross-site request refused"
	}
	return ""
}

// hostAllowed accepts IP addresses, localhost and its subdomains, and the
// configured names (any port).
func (a *Admin) hostAllowed(hostport string) bool {
	if hostport == "" {
		return true // HTTP/1.0 without Host: not a browser
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if net.ParseIP(host) != nil {
		return true
	}
	host = strings.ToLower(host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	for _, h := range a.cfg.AllowedHosts {
		if strings.EqualFold(strings.TrimSuffix(h, "."), host) {
			return true
		}
	}
	return false
}

// limiterKey is the address a failed login is counted against: the client
// IP, or for IPv6 its /64, since one host commonly holds a whole /64 and
// could otherwise spread its guesses over as many addresses as it likes.
func limiterKey(ip string) string {
	addr := net.ParseIP(ip)
	if addr == nil || addr.To4() != nil {
		return ip
	}
	return addr.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
