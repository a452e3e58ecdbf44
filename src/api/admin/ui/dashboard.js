// The wabasim dashboard's script: reads the control API (/__admin/...) for the chosen
// namespace and draws it. Plain JavaScript, no library, no build step. Every value from the
// server is written as text (textContent), never as HTML: journal entries and payloads carry
// whatever a client sent.
"use strict";

const PAGE = 50; // journal rows and namespaces per page
const DELIVERIES_SHOWN = 50;
const MIN_POLL_MS = 1000;

const view = {
  token: sessionStorage.getItem("wabasim-admin-token") || "",
  namespace: sessionStorage.getItem("wabasim-namespace") || "default",
  nsOffset: 0,
  nsSearch: "",
  journal: { before: null, filters: {}, open: new Set() },
  folded: new Map(), // a <details>'s key -> whether the person left it open, kept across redraws
  worldNow: null, // {ms, frozen, fetchedAt}: the world clock, to run countdowns between polls
  seen: {}, // the last answer text of each panel, to redraw only what changed
  timer: null,
  busy: false,
};

// ---- talking to the control API ----

async function api(method, path, body) {
  const headers = { "X-Wabasim-Namespace": view.namespace };
  if (view.token) headers["X-Wabasim-Admin-Token"] = view.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const text = await r.text();
  if (r.status === 401) {
    askToken();
    throw new Error("the admin token is missing or wrong");
  }
  if (!r.ok) {
    let message = text;
    try { message = JSON.parse(text).error || text; } catch (_) { /* not JSON */ }
    throw new Error(`${method} ${path}: ${r.status} ${message}`);
  }
  return text;
}

function askToken() {
  const dialog = document.getElementById("token-dialog");
  if (!dialog.open) dialog.showModal();
}

function say(text, bad) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = bad ? "bad" : "";
}

// ---- building the page ----

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function table(headings, rows) {
  return el("table", { class: "rows" },
    el("thead", {}, el("tr", {}, headings.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows));
}

function badge(value) {
  const v = value === null || value === undefined ? "" : String(value);
  return el("span", { class: `badge ${v.toLowerCase().replace(/[^a-z0-9]+/g, "-")}` }, v || "–");
}

/** A <details> that keeps the state the person gave it when its panel is redrawn. */
function fold(key, openByDefault, attrs, ...children) {
  const open = view.folded.has(key) ? view.folded.get(key) : openByDefault;
  const d = el("details", { ...attrs, open }, ...children);
  d.addEventListener("toggle", () => view.folded.set(key, d.open));
  return d;
}

function pretty(value) {
  return el("pre", {}, typeof value === "string" ? value : JSON.stringify(value, null, 2));
}

function replace(id, ...nodes) {
  document.getElementById(id).replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined));
}

/** The world's time now: the last clock read, moved on by real time unless frozen. */
function worldNowMs() {
  const c = view.worldNow;
  if (!c) return Date.now();
  return c.frozen ? c.ms : c.ms + (Date.now() - c.fetchedAt);
}

function countdown(dueIso) {
  const left = Date.parse(dueIso) - worldNowMs();
  if (left <= 0) return "due now";
  const s = Math.floor(left / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return `re-rated in ${h}h ${String(m).padStart(2, "0")}m ${String(sec).padStart(2, "0")}s`;
}

function shortTime(iso) {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "";
}

// ---- panels ----

function drawWorld(state) {
  const c = state.clock;
  view.worldNow = { ms: Date.parse(c.now), frozen: c.frozen, fetchedAt: Date.now() };
  document.getElementById("clock-now").textContent = c.now;
  document.getElementById("clock-frozen").textContent = c.frozen ? "(frozen)" : "";
  const wabasOf = (b) => state.wabas.filter((w) => w.business === b.id);
  const businesses = state.businesses.map((b) =>
    el("div", { class: "card business" },
      el("h3", {}, `${b.name} `, el("small", {}, b.id), " ", badge(b.verification_status)),
      wabasOf(b).map((w) => drawWaba(w))));
  replace("world-body", businesses.length ? businesses : el("p", { class: "hint" }, "No businesses."));
}

function drawWaba(w) {
  const numbers = w.phone_numbers.map((p) =>
    el("tr", { "data-phone-id": p.id },
      el("td", {}, p.display_phone_number), el("td", {}, p.id),
      el("td", { class: "phone-status" }, badge(p.status)),
      el("td", {}, badge(p.code_verification_status)), el("td", {}, badge(p.quality_rating)),
      el("td", {}, p.verified_name), el("td", {}, badge(p.name_status)),
      el("td", {}, p.two_step_verification ? "on" : "off"),
      el("td", {}, p.pending ? JSON.stringify(p.pending) : "")));
  const templates = w.templates.map((t) =>
    el("tr", { "data-template-id": t.id },
      el("td", {}, t.name), el("td", {}, t.language), el("td", {}, t.category),
      el("td", {}, badge(t.status)), el("td", {}, badge(t.quality)),
      el("td", {}, t.copied_from ? `copy of ${t.copied_from}` : ""),
      el("td", { class: "countdown", "data-due": t.rerate_due_at || null },
        t.rerate_due_at ? countdown(t.rerate_due_at) : "")));
  return el("div", { class: "waba" },
    el("h4", {}, `WABA ${w.name} `, el("small", {}, w.id), " ", badge(w.account_review_status),
      w.partner ? el("small", {}, ` partner ${w.partner}`) : ""),
    numbers.length
      ? table(["number", "id", "status", "code verification", "quality", "verified name", "name status", "2-step", "pending"], numbers)
      : el("p", { class: "hint" }, "No phone numbers."),
    templates.length
      ? fold(`templates-${w.id}`, templates.length <= 20, {},
        el("summary", {}, `${templates.length} templates`),
        table(["name", "language", "category", "status", "quality", "copy", "UNKNOWN window"], templates))
      : null);
}

function drawMigrations(data) {
  const timelines = data.migrations.map((m) =>
    el("div", { class: `card timeline state-${m.state.toLowerCase()}`, "data-migration": m.index },
      el("h3", {}, `+${m.phone_number} `, badge(m.state),
        el("small", {}, ` WABA ${m.source_waba_id} → ${m.destination_waba_id}, number id ${m.destination_phone_number_id}, ${m.templates_copied} templates copied`)),
      el("ol", { class: "steps" }, m.steps.map((s) =>
        el("li", { class: `step ${s.done ? "done" : "open"}${s.refused.length ? " refused" : ""}`, "data-step": s.step },
          el("span", { class: "name" }, s.step.replace(/_/g, " ")),
          el("span", { class: "at" }, s.at ? shortTime(s.at) : s.due_at ? `due ${shortTime(s.due_at)}` : "—"),
          s.refused.map((r) => el("span", { class: "error", title: `request ${r.request_id}` },
            `${shortTime(r.at)} ${r.operation} ${r.status} ${r.error || ""}`)))))));
  const refused = data.refused_starts.length
    ? el("div", { class: "card" }, el("h3", {}, "Refused starts"),
      data.refused_starts.map((r) => el("p", { class: "error" },
        `${shortTime(r.at)} ${r.facade} ${r.operation} ${r.status} ${r.error || ""} (request ${r.request_id})`)))
    : null;
  replace("migrations-body", timelines.length ? timelines : el("p", { class: "hint" }, "No migration yet."), refused);
}

function journalQuery() {
  const q = new URLSearchParams({ limit: String(PAGE) });
  const f = view.journal.filters;
  for (const k of ["facade", "operation", "status"]) if (f[k]) q.set(k, f[k]);
  if (f.id) {
    // One entry by its id: the ids either side of it bound the page.
    q.set("after", String(Number(f.id) - 1));
    q.set("before", String(Number(f.id) + 1));
  } else if (view.journal.before) {
    q.set("before", String(view.journal.before));
  }
  return `/__admin/requests?${q}`;
}

function drawJournal(data) {
  const rows = [];
  for (const e of data.requests.slice().reverse()) {
    const open = view.journal.open.has(e.id);
    rows.push(el("tr", {
      class: `entry ${e.status >= 400 ? "failed" : ""} ${open ? "open" : ""}`, "data-request-id": e.id,
      onclick: () => { open ? view.journal.open.delete(e.id) : view.journal.open.add(e.id); view.seen.journal = null; refresh(); },
    },
    el("td", {}, e.id), el("td", {}, shortTime(e.at)), el("td", {}, e.facade),
    el("td", {}, e.operation), el("td", {}, e.method), el("td", { class: "path" }, e.path),
    el("td", {}, badge(e.status)), el("td", {}, e.error || ""), el("td", {}, e.fault || "")));
    if (open) rows.push(el("tr", { class: "detail" }, el("td", { colspan: 9 }, entryDetail(e))));
  }
  document.getElementById("journal-rows").replaceChildren(...rows);
  document.getElementById("journal-total").textContent = `${data.total} matching`;
  const ids = data.requests.map((e) => e.id);
  document.getElementById("journal-range").textContent = ids.length
    ? `ids ${Math.min(...ids)}–${Math.max(...ids)}${view.journal.before ? "" : " (newest, live)"}`
    : "no entries";
  document.getElementById("journal-older").disabled = ids.length < PAGE;
  document.getElementById("journal-older").dataset.oldest = ids.length ? Math.min(...ids) : "";
}

function entryDetail(e) {
  const request = { method: e.method, path: e.path, params: e.params };
  if (e.authorization) request.authorization = e.authorization;
  if (e.params_error) request.params_error = e.params_error;
  const answer = { status: e.status, error: e.error, fault: e.fault, duration_us: e.duration_us };
  answer.body = e.response;
  if (e.response_truncated) answer.body_length = e.response_truncated; // the body above is cut
  if (e.unmatched) answer.unmatched = e.unmatched;
  return el("div", { class: "pair" },
    el("div", {}, el("h4", {}, "request"), pretty(request)),
    el("div", {}, el("h4", {}, "answer"), pretty(answer)));
}

function drawWebhooks(data) {
  const list = data.deliveries.slice(-DELIVERIES_SHOWN).reverse();
  const rows = list.map((d) => fold(`delivery-${d.id}`, false, { class: "card delivery", "data-delivery": d.id },
    el("summary", {}, badge(d.state), ` ${d.field} → ${d.url || "(no URL)"} `,
      el("small", {}, `event ${shortTime(d.event_at)}, ${d.attempts.length} attempts${d.next_attempt_at ? `, next ${shortTime(d.next_attempt_at)}` : ""}`)),
    table(["try", "kind", "world time", "status", "error", "ms"], d.attempts.map((a) =>
      el("tr", {}, el("td", {}, a.try), el("td", {}, a.kind), el("td", {}, shortTime(a.at)),
        el("td", {}, a.status ?? ""), el("td", {}, a.error || ""), el("td", {}, a.duration_ms))),
    ),
    pretty(d.payload)));
  const more = data.deliveries.length > DELIVERIES_SHOWN
    ? el("p", { class: "hint" }, `the newest ${DELIVERIES_SHOWN} of ${data.deliveries.length}`) : null;
  replace("webhooks-body", rows.length ? rows : el("p", { class: "hint" }, "No deliveries."), more);
}

function drawFaults(data) {
  const rows = data.faults.map((f) => {
    const { id, seen, hits, ...spec } = f;
    return el("tr", { "data-fault": id }, el("td", {}, id), el("td", {}, seen), el("td", {}, hits),
      el("td", {}, pretty(spec)));
  });
  replace("faults-body", rows.length ? table(["id", "matched calls", "fired", "fault"], rows)
    : el("p", { class: "hint" }, "No faults armed."));
}

/** Any facade's view: a list of objects is a table, with nested lists drawn the same way. */
function generic(value) {
  if (Array.isArray(value)) {
    if (value.length === 0) return el("p", { class: "hint" }, "none");
    if (value.every((v) => v && typeof v === "object" && !Array.isArray(v))) {
      const keys = [...new Set(value.flatMap((v) => Object.keys(v)))];
      return table(keys, value.map((v) => el("tr", {}, keys.map((k) => el("td", {}, cell(v[k]))))));
    }
    return el("span", {}, value.join(", "));
  }
  if (value && typeof value === "object") {
    return el("div", {}, Object.entries(value).map(([k, v]) =>
      el("div", { class: "facade-part", "data-part": k }, el("h4", {}, k), generic(v))));
  }
  return el("span", {}, String(value));
}

function cell(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return generic(v);
  return /^[A-Z_]+$/.test(String(v)) ? badge(v) : String(v);
}

function drawFacades(state) {
  const views = Object.entries(state.facades || {});
  replace("facades-body", views.length
    ? views.map(([id, v]) => el("div", { class: "card", "data-facade": id }, el("h3", {}, id), generic(v)))
    : el("p", { class: "hint" }, "No facade keeps a view of its own in this world."));
}

// ---- the namespace selector ----

async function loadNamespaces() {
  const q = new URLSearchParams({ offset: String(view.nsOffset), limit: String(PAGE) });
  if (view.nsSearch) q.set("contains", view.nsSearch);
  const data = JSON.parse(await api("GET", `/__admin/namespaces?${q}`));
  const select = document.getElementById("ns-select");
  const names = data.namespaces.map((n) => n.name);
  if (!names.includes(view.namespace)) names.unshift(view.namespace);
  select.replaceChildren(...names.map((n) => el("option", { value: n, selected: n === view.namespace }, n)));
  const last = Math.min(view.nsOffset + PAGE, data.matched);
  document.getElementById("ns-page").textContent = `${data.matched ? view.nsOffset + 1 : 0}–${last} of ${data.matched}`;
  document.getElementById("ns-prev").disabled = view.nsOffset === 0;
  document.getElementById("ns-next").disabled = last >= data.matched;
}

async function loadOperations() {
  const doc = JSON.parse(await api("GET", "/__admin/openapi.json"));
  const params = doc.paths["/__admin/requests"].get.parameters;
  const schema = (name) => params.find((p) => p.name === name).schema;
  const facades = document.querySelector("#journal-filters select[name=facade]");
  if (facades.options.length > 1) return; // read once; the facades do not change while serving
  facades.append(...schema("facade").enum.map((f) => el("option", { value: f }, f)));
  const ops = schema("operation").anyOf.flatMap((g) => g.enum);
  document.getElementById("operations").replaceChildren(...ops.map((o) => el("option", { value: o })));
}

// ---- the refresh loop ----

/** Fetches a panel's data and redraws it only when its answer changed. */
async function panel(name, path, draw) {
  const text = await api("GET", path);
  if (view.seen[name] === text) return;
  view.seen[name] = text;
  draw(JSON.parse(text));
}

async function refresh() {
  if (view.busy) return;
  view.busy = true;
  const started = Date.now();
  try {
    await Promise.all([
      panel("state", "/__admin/state", (s) => { drawWorld(s); drawFacades(s); }),
      panel("migrations", "/__admin/migrations", drawMigrations),
      panel("journal", journalQuery(), drawJournal),
      panel("webhooks", "/__admin/webhooks", drawWebhooks),
      panel("faults", "/__admin/faults", drawFaults),
    ]);
    say(`updated ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    say(e.message, true);
  } finally {
    view.busy = false;
  }
  return Date.now() - started;
}

/** Polls while "live" is on: every second, or slower when a big world makes reads slow. */
async function loop() {
  clearTimeout(view.timer);
  const took = await refresh();
  if (document.getElementById("live").checked) {
    view.timer = setTimeout(loop, Math.max(MIN_POLL_MS, 5 * (took || 0)));
  }
}

function tick() {
  for (const c of document.querySelectorAll(".countdown[data-due]")) c.textContent = countdown(c.dataset.due);
}

function redrawAll() {
  view.seen = {};
  loop();
}

// ---- wiring ----

function wire() {
  for (const id of ["advance-1h", "advance-24h", "advance-14d"]) {
    const b = document.getElementById(id);
    b.addEventListener("click", async () => {
      try {
        const c = JSON.parse(await api("POST", "/__admin/clock/advance", { duration: b.dataset.duration }));
        say(`clock advanced by ${b.dataset.duration}: ${c.now}`);
        redrawAll();
      } catch (e) { say(e.message, true); }
    });
  }
  document.getElementById("reset").addEventListener("click", async () => {
    if (!confirm(`Reset namespace ${view.namespace}? Its world, faults, journal and deliveries start afresh.`)) return;
    try {
      await api("POST", "/__admin/reset");
      say(`namespace ${view.namespace} reset`);
      view.journal.before = null;
      redrawAll();
    } catch (e) { say(e.message, true); }
  });
  document.getElementById("ns-select").addEventListener("change", (ev) => {
    view.namespace = ev.target.value;
    sessionStorage.setItem("wabasim-namespace", view.namespace);
    view.journal.before = null;
    view.journal.open.clear();
    redrawAll();
  });
  let searchTimer = null;
  document.getElementById("ns-search").addEventListener("input", (ev) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { view.nsSearch = ev.target.value.trim(); view.nsOffset = 0; loadNamespaces().catch((e) => say(e.message, true)); }, 200);
  });
  document.getElementById("ns-prev").addEventListener("click", () => { view.nsOffset = Math.max(0, view.nsOffset - PAGE); loadNamespaces().catch((e) => say(e.message, true)); });
  document.getElementById("ns-next").addEventListener("click", () => { view.nsOffset += PAGE; loadNamespaces().catch((e) => say(e.message, true)); });
  const filters = document.getElementById("journal-filters");
  filters.addEventListener("submit", (ev) => {
    ev.preventDefault();
    view.journal.filters = Object.fromEntries([...new FormData(filters)].map(([k, v]) => [k, String(v).trim()]));
    view.journal.before = null;
    redrawAll();
  });
  filters.addEventListener("reset", () => { view.journal.filters = {}; view.journal.before = null; setTimeout(redrawAll); });
  document.getElementById("journal-newest").addEventListener("click", () => { view.journal.before = null; redrawAll(); });
  document.getElementById("journal-older").addEventListener("click", (ev) => {
    const oldest = Number(ev.target.dataset.oldest);
    if (oldest) { view.journal.before = oldest; redrawAll(); }
  });
  document.getElementById("live").addEventListener("change", (ev) => { if (ev.target.checked) loop(); else clearTimeout(view.timer); });
  document.getElementById("token-button").addEventListener("click", askToken);
  document.getElementById("token-dialog").addEventListener("close", () => {
    view.token = document.getElementById("token-input").value.trim();
    sessionStorage.setItem("wabasim-admin-token", view.token);
    start();
  });
}

async function start() {
  try {
    await Promise.all([loadNamespaces(), loadOperations()]);
  } catch (e) {
    say(e.message, true);
    return;
  }
  redrawAll();
}

wire();
setInterval(tick, 1000);
// New namespaces appear while a suite runs; not while the list is open in front of the person.
setInterval(() => {
  const select = document.getElementById("ns-select");
  if (document.getElementById("live").checked && document.activeElement !== select) {
    loadNamespaces().catch((e) => say(e.message, true));
  }
}, 10000);
start();
