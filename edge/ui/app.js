// The edgefn dashboard: signs in with an admin token (kept for the tab
// only), then polls the admin API.
"use strict";
const $ = (s) => document.querySelector(s);
let token = sessionStorage.getItem("edgefn-token") || "";
let last = null; // previous stats, for rates

async function api(path) {
  const res = await fetch(path, { headers: { Authorization: "Bearer " + token } });
  if (res.status === 401) throw new Error("unauthorized");
  if (!res.ok) throw new Error(path + ": HTTP " + res.status);
  return res.json();
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

async function refresh() {
  let deployments, stats, members = [];
  try {
    [deployments, stats] = await Promise.all([api("/v1/deployments"), api("/v1/stats")]);
    members = await api("/v1/cluster/members").catch(() => []);
  } catch (e) {
    if (e.message === "unauthorized") return signOut("The token was refused.");
    $("#updated").textContent = "Update failed: " + e.message;
    return;
  }
  const now = Date.now();
  const body = $("#deployments tbody");
  body.replaceChildren();
  for (const d of deployments) {
    const s = stats.deployments[d.name] || { requests: 0, errors: 0, runtimes: {} };
    const tr = document.createElement("tr");
    tr.dataset.name = d.name;
    cell(tr, d.name);
    const active = d.split && d.split.length ? d.split.map((e) => "v" + e.version + "=" + e.weight + "%").join(" ") : "v" + d.active;
    cell(tr, active, d.split && d.split.length ? "split" : "");
    cell(tr, d.versions.map((v) => "v" + v).join(", "));
    cell(tr, (d.routes || []).join(" "));
    cell(tr, String(s.requests)).className = "requests";
    let rate = 0;
    if (last && last.stats[d.name]) {
      rate = (s.requests - last.stats[d.name].requests) / ((now - last.time) / 1000);
    }
    cell(tr, rate.toFixed(1)).className = "rate";
    cell(tr, String(s.errors)).className = "errors";
    const rt = s.runtimes || {};
    cell(tr, (rt.Busy || 0) + " busy / " + (rt.Idle || 0) + " idle");
    body.appendChild(tr);
  }
  const nodes = $("#nodes tbody");
  nodes.replaceChildren();
  const list = members.length ? members : [{ name: stats.node || "this node", state: "alive", addr: location.host }];
  for (const m of list) {
    const tr = document.createElement("tr");
    cell(tr, m.name);
    cell(tr, m.state);
    cell(tr, m.addr || "");
    cell(tr, m.region || "");
    cell(tr, m.lagMs != null ? m.lagMs + " ms" : "");
    nodes.appendChild(tr);
  }
  $("#node").textContent = stats.node ? "node " + stats.node : "";
  $("#updated").textContent = "Updated " + new Date(now).toLocaleTimeString();
  last = { time: now, stats: stats.deployments };
}

let timer = null;
function signIn() {
  $("#login").hidden = true;
  $("#app").hidden = false;
  $("#logout").hidden = false;
  refresh();
  timer = setInterval(refresh, 2000);
}

function signOut(msg) {
  clearInterval(timer);
  token = "";
  sessionStorage.removeItem("edgefn-token");
  $("#login").hidden = false;
  $("#app").hidden = true;
  $("#logout").hidden = true;
  $("#login-error").textContent = msg || "";
}

$("#login").addEventListener("submit", async (e) => {
  e.preventDefault();
  token = $("#token").value;
  try {
    await api("/v1/deployments");
  } catch (err) {
    return signOut(err.message === "unauthorized" ? "That token was refused." : err.message);
  }
  sessionStorage.setItem("edgefn-token", token);
  signIn();
});
$("#logout").addEventListener("click", () => signOut());
if (token) signIn();
