// The expression browser: a query box, a table for instant results, a graph
// for range results, and the targets page. Plain JavaScript, no build step;
// the files are embedded in the pharos binary.
"use strict";

const $ = (id) => document.getElementById(id);
const COLORS = ["#1f6feb", "#d1242f", "#1a7f37", "#bf8700", "#8250df", "#0a7ea4", "#bc4c00",
  "#57606a", "#cf222e", "#116329", "#953800", "#6639ba"];

const state = { tab: "table" };

function durationToSeconds(s) {
  const re = /(\d+(?:\.\d+)?)(ms|y|w|d|h|m|s)/g;
  const mult = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0, matched = "", m;
  while ((m = re.exec(s)) !== null) { total += parseFloat(m[1]) * mult[m[2]]; matched += m[0]; }
  if (!s || matched !== s.trim()) return null;
  return total;
}

function parseEnd(s) {
  if (!s || !s.trim()) return Date.now() / 1000;
  const n = Number(s);
  if (!Number.isNaN(n)) return n;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t / 1000;
}

function metricName(labels) {
  const name = labels.__name__ || "";
  const rest = Object.keys(labels).filter((k) => k !== "__name__").sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  if (rest.length === 0) return name || "{}";
  return `${name}{${rest.join(", ")}}`;
}

function showError(msg) {
  const el = $("error");
  el.textContent = msg;
  el.hidden = !msg;
}

function showWarnings(ws) {
  const el = $("warnings");
  el.textContent = (ws || []).join("\n");
  el.hidden = !ws || ws.length === 0;
}

async function api(path, params) {
  const body = new URLSearchParams(params);
  const started = performance.now();
  const resp = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
  let json;
  try {
    json = await resp.json();
  } catch (e) {
    throw new Error(`${resp.status} ${resp.statusText}: the server did not answer JSON`);
  }
  if (json.status !== "success") throw new Error(`${json.errorType || "error"}: ${json.error}`);
  json.elapsedMs = performance.now() - started;
  return json;
}

function clear() {
  $("result-table").querySelector("tbody").innerHTML = "";
  $("empty").hidden = true;
  $("chart").innerHTML = "";
  $("legend").innerHTML = "";
  $("stats").textContent = "";
  showError("");
  showWarnings([]);
}

function renderTable(data) {
  const tbody = $("result-table").querySelector("tbody");
  const row = (label, value) => {
    const tr = document.createElement("tr");
    const a = document.createElement("td");
    a.textContent = label;
    const b = document.createElement("td");
    b.className = "value";
    b.textContent = value;
    tr.append(a, b);
    tbody.append(tr);
  };
  const r = data.result;
  switch (data.resultType) {
    case "vector":
      r.forEach((s) => row(metricName(s.metric), s.value[1]));
      break;
    case "matrix":
      r.forEach((s) => row(metricName(s.metric), s.values.map((v) => `${v[1]} @${v[0]}`).join("\n")));
      break;
    case "scalar":
      row("scalar", r[1]);
      break;
    case "string":
      row("string", r[1]);
      break;
  }
  $("empty").hidden = tbody.children.length > 0;
}

function niceStep(span, target) {
  const raw = span / target;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

function svgEl(name, attrs, text) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function formatTime(t, span) {
  const d = new Date(t * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (span > 2 * 86400) return `${d.getMonth() + 1}-${pad(d.getDate())} ${hm}`;
  return span < 600 ? `${hm}:${pad(d.getSeconds())}` : hm;
}

function renderGraph(data, start, end) {
  const svg = $("chart");
  const legend = $("legend");
  const series = data.result.map((s) => ({
    name: metricName(s.metric),
    points: s.values.map((v) => [Number(v[0]), Number(v[1])]),
  }));
  const W = svg.clientWidth || 900, H = svg.clientHeight || 360;
  const L = 64, R = 12, T = 10, B = 26;
  let lo = Infinity, hi = -Infinity;
  series.forEach((s) => s.points.forEach(([, v]) => {
    if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }));
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (lo === hi) { lo -= 1; hi += 1; }
  const x = (t) => L + (t - start) / (end - start) * (W - L - R);
  const y = (v) => T + (hi - v) / (hi - lo) * (H - T - B);
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const ystep = niceStep(hi - lo, 6);
  for (let v = Math.ceil(lo / ystep) * ystep; v <= hi + 1e-9; v += ystep) {
    svg.append(svgEl("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(svgEl("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, Number(v.toPrecision(6)).toString()));
  }
  const xstep = niceStep(end - start, 8);
  for (let t = Math.ceil(start / xstep) * xstep; t <= end; t += xstep) {
    svg.append(svgEl("line", { x1: x(t), x2: x(t), y1: T, y2: H - B, class: "grid" }));
    svg.append(svgEl("text", { x: x(t), y: H - 8, "text-anchor": "middle" }, formatTime(t, end - start)));
  }
  svg.append(svgEl("line", { x1: L, x2: L, y1: T, y2: H - B, class: "axis" }));
  svg.append(svgEl("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }));
  const step = Number(data.step || 0);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    let d = "", prev = null;
    s.points.forEach(([t, v]) => {
      if (!Number.isFinite(v)) { prev = null; return; }
      const gap = prev !== null && step > 0 && t - prev > step * 1.5;
      d += `${prev === null || gap ? "M" : "L"}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      prev = t;
    });
    const path = svgEl("path", { d, class: "series", stroke: color });
    path.append(svgEl("title", {}, s.name));
    svg.append(path);
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = color;
    li.append(sw, document.createTextNode(s.name));
    legend.append(li);
  });
  if (series.length === 0) {
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = "Empty query result";
    legend.append(li);
  }
}

async function execute() {
  const expr = $("expr").value.trim();
  clear();
  if (!expr) return;
  const url = new URL(window.location);
  url.searchParams.set("g0.expr", expr);
  url.searchParams.set("g0.tab", state.tab === "graph" ? "0" : "1");
  window.history.replaceState(null, "", url);
  const end = parseEnd($("end").value);
  if (end === null) { showError(`Invalid end time "${$("end").value}"`); return; }
  try {
    if (state.tab === "table") {
      const r = await api("api/v1/query", { query: expr, time: end.toFixed(3) });
      renderTable(r.data);
      showWarnings(r.warnings);
      $("stats").textContent = `Load time: ${Math.round(r.elapsedMs)}ms · Result series: ${
        Array.isArray(r.data.result) && r.data.resultType !== "scalar" && r.data.resultType !== "string" ? r.data.result.length : 1}`;
    } else {
      const range = durationToSeconds($("range").value);
      if (!range) { showError(`Invalid range "${$("range").value}"`); return; }
      let step = $("step").value.trim() ? durationToSeconds($("step").value.trim()) : Math.max(Math.floor(range / 250), 1);
      if (!step) { showError(`Invalid step "${$("step").value}"`); return; }
      const start = end - range;
      const r = await api("api/v1/query_range", {
        query: expr, start: start.toFixed(3), end: end.toFixed(3), step: String(step),
      });
      if (r.data.resultType !== "matrix") throw new Error("the graph shows range vectors only; use the Table tab");
      r.data.step = step;
      renderGraph(r.data, start, end);
      showWarnings(r.warnings);
      $("stats").textContent = `Load time: ${Math.round(r.elapsedMs)}ms · Resolution: ${step}s · Result series: ${r.data.result.length}`;
    }
  } catch (e) {
    showError(e.message);
  }
}

function setTab(tab) {
  state.tab = tab;
  $("tab-table").classList.toggle("active", tab === "table");
  $("tab-graph").classList.toggle("active", tab === "graph");
  $("table-panel").hidden = tab !== "table";
  $("graph-panel").hidden = tab !== "graph";
}

async function renderTargets() {
  const el = $("targets");
  el.textContent = "Loading…";
  try {
    const resp = await fetch("api/v1/targets");
    const json = await resp.json();
    el.textContent = "";
    const pools = {};
    json.data.activeTargets.forEach((t) => (pools[t.scrapePool] = pools[t.scrapePool] || []).push(t));
    Object.keys(pools).sort().forEach((pool) => {
      const box = document.createElement("div");
      box.className = "target-pool";
      const up = pools[pool].filter((t) => t.health === "up").length;
      const h = document.createElement("h3");
      h.textContent = `${pool} (${up}/${pools[pool].length} up)`;
      const table = document.createElement("table");
      pools[pool].forEach((t) => {
        const tr = document.createElement("tr");
        const cells = [t.scrapeUrl, t.health, metricName(t.labels), t.lastScrape,
          `${(t.lastScrapeDuration * 1000).toFixed(1)}ms`, t.lastError];
        cells.forEach((c, i) => {
          const td = document.createElement("td");
          td.textContent = c;
          if (i === 1) td.className = `health-${t.health}`;
          tr.append(td);
        });
        table.append(tr);
      });
      box.append(h, table);
      el.append(box);
    });
    if (Object.keys(pools).length === 0) el.textContent = "No targets.";
  } catch (e) {
    el.textContent = `Error: ${e.message}`;
  }
}

function route() {
  const targets = window.location.hash === "#targets";
  $("view-graph").hidden = targets;
  $("view-targets").hidden = !targets;
  $("nav-graph").classList.toggle("active", !targets);
  $("nav-targets").classList.toggle("active", targets);
  if (targets) renderTargets();
}

document.addEventListener("DOMContentLoaded", () => {
  $("query-form").addEventListener("submit", (e) => { e.preventDefault(); execute(); });
  $("expr").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); execute(); }
  });
  $("tab-table").addEventListener("click", () => { setTab("table"); execute(); });
  $("tab-graph").addEventListener("click", () => { setTab("graph"); execute(); });
  window.addEventListener("hashchange", route);
  const params = new URLSearchParams(window.location.search);
  if (params.get("g0.tab") === "0") setTab("graph");
  if (params.get("g0.expr")) {
    $("expr").value = params.get("g0.expr");
    execute();
  }
  route();
});
