// The dashboard's browser test (run by tests/dashboard/run.sh): runs a migration against a live
// wabasim over HTTP, opens /__admin/ui in Debian's headless Chromium through playwright-core,
// and asserts what the page shows: the number's state, the timeline's steps, a journal entry
// opening to its request, and that a clock button moves the world's clock. Takes a screenshot.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require(path.join(process.env.DASHBOARD_MODULES, "playwright-core"));

const url = process.env.WABASIM_URL;
const shot = process.env.DASHBOARD_SCREENSHOT;
const token = "Bearer wabasim-new-bsp"; // the default world's New BSP (docs/contract.md)
const WABA = "200000000000002";
const NUMBER = "5550100001";

let passed = 0;
let failed = 0;
async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`PASS ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e.message.split("\n")[0]}`);
  }
}
function assert(ok, message) {
  if (!ok) throw new Error(message);
}

async function graph(method, p, form) {
  const r = await fetch(`${url}${p}`, {
    method,
    headers: { Authorization: token, "Content-Type": "application/x-www-form-urlencoded" },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: r.status, json: await r.json() };
}

async function admin(p, body) {
  const r = await fetch(`${url}${p}`, {
    method: body ? "POST" : "GET",
    headers: { "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.json();
}

/** The whole migration of the default world's ready number, with a scripted fault on the
 * first code request, one wrong code, and webhooks sent to a port where nothing listens. */
async function migrate() {
  const fault = await admin("/__admin/faults",
    { match: { facade: "graph", operation: "request_code" }, times: 1, error: "too_many_code_requests" });
  assert(fault.id, `fault: ${JSON.stringify(fault)}`);
  const state = await admin("/__admin/state");
  const app = state.wabas.find((w) => w.id === WABA).subscribed_apps[0].app;
  await admin(`/__admin/webhooks/apps/${app}`, { webhook_url: "http://127.0.0.1:9/hook" });
  const started = await graph("POST", `/v23.0/${WABA}/phone_numbers`,
    { cc: "1", phone_number: NUMBER, migrate_phone_number: "true" });
  assert(started.status === 200, `migration start: ${JSON.stringify(started.json)}`);
  const id = started.json.id;
  const steps = [
    ["request_code", { code_method: "SMS", language: "en_US" }, 400],
    ["request_code", { code_method: "SMS", language: "en_US" }, 200],
    ["verify_code", { code: "000000" }, 400],
  ];
  for (const [edge, form, want] of steps) {
    const r = await graph("POST", `/v23.0/${id}/${edge}`, form);
    assert(r.status === want, `${edge}: ${r.status} ${JSON.stringify(r.json)}`);
  }
  const codes = await admin(`/__admin/codes?phone_number_id=${id}`);
  const code = codes.codes[codes.codes.length - 1].code;
  for (const [edge, form] of [["verify_code", { code }], ["register", { messaging_product: "whatsapp", pin: "123456" }]]) {
    const r = await graph("POST", `/v23.0/${id}/${edge}`, form);
    assert(r.status === 200, `${edge}: ${r.status} ${JSON.stringify(r.json)}`);
  }
  return id;
}

/** 1,000 more namespaces and 10,000 requests in the default one (the journal's bound). */
async function fill() {
  const batch = async (n, make) => {
    for (let i = 0; i < n; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, n - i) }, (_, k) => make(i + k)));
    }
  };
  await batch(1000, (i) => fetch(`${url}/__admin/namespaces`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: `load-${String(i).padStart(4, "0")}` }),
  }).then((r) => assert(r.status === 201, `namespace ${i}: ${r.status}`)));
  await batch(10000, () => fetch(`${url}/v23.0/${WABA}?fields=id`, { headers: { Authorization: token } }).then((r) => r.arrayBuffer()));
}

async function main() {
  const phoneId = await migrate();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "wabasim-dashboard-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${r.status()} from ${r.url()}`); });
  page.setDefaultTimeout(10000);
  try {
    await page.goto(`${url}/__admin/ui`);

    await check("the number's state", async () => {
      const cell = page.locator(`tr[data-phone-id="${phoneId}"] .phone-status`);
      await cell.filter({ hasText: "CONNECTED" }).waitFor();
      const source = page.locator('tr[data-phone-id="110000000000001"] .phone-status');
      assert((await source.textContent()) === "MIGRATED", `source shows ${await source.textContent()}`);
    });

    await check("the migration's timeline", async () => {
      const timeline = page.locator(".timeline", { hasText: `+1${NUMBER}` });
      await timeline.locator('li[data-step="registered"].done').waitFor();
      for (const step of ["initiated", "code_requested", "verified", "registered", "templates_copied"]) {
        const done = await timeline.locator(`li[data-step="${step}"].done`).count();
        assert(done === 1, `${step} is not shown done`);
      }
      const rerated = timeline.locator('li[data-step="rerated"]');
      assert(!(await rerated.getAttribute("class")).includes("done"), "rerated is done before 24 h");
      const refused = await timeline.locator('li[data-step="verified"] .error').textContent();
      assert(refused.includes("verify_code") && refused.includes("136025"), `the refused code shows ${refused}`);
      const faulted = await timeline.locator('li[data-step="code_requested"] .error').textContent();
      assert(faulted.includes("request_code"), `the faulted code request shows ${faulted}`);
    });

    await check("the armed fault with its fire count, and deliveries with their attempts", async () => {
      const row = page.locator("#faults-body tr[data-fault]");
      await row.waitFor();
      const cells = await row.locator("td").allTextContents();
      assert(cells[2] === "1" && cells[3].includes("request_code"), `fault row: ${cells.join(" | ")}`);
      const delivery = page.locator("#webhooks-body details.delivery").first();
      await delivery.filter({ hasText: "message_template_status_update" }).waitFor();
      await delivery.click();
      const attempt = delivery.locator("tbody tr").first();
      await attempt.waitFor();
      const text = await attempt.textContent();
      assert(/delivery|verification/.test(text), `attempt row: ${text}`);
    });

    await check("a journal entry opens to its request", async () => {
      const row = page.locator("#journal-rows tr.entry", { hasText: "register" }).first();
      await row.waitFor();
      await row.click();
      const detail = page.locator("#journal-rows tr.detail").first();
      await detail.waitFor();
      const text = await detail.textContent();
      assert(text.includes(`/v23.0/${phoneId}/register`) && text.includes("[redacted]"), `detail: ${text.slice(0, 200)}`);
    });

    await check("a copy in its UNKNOWN window counts down", async () => {
      const text = await page.locator(".countdown[data-due]").first().textContent();
      assert(/re-rated in 2[34]h/.test(text), `countdown shows ${text}`);
    });

    // The picture for the docs: a finished migration, a refused code, its journal entry open
    // and the copies counting down (before the clock jump re-rates them).
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);

    await check("the +24 h button moves the world's clock", async () => {
      const before = Date.parse((await admin("/__admin/clock")).now);
      await page.click("#advance-24h");
      await page.waitForFunction((b) => Date.parse(document.getElementById("clock-now").textContent) >= b + 24 * 3600e3, before);
      const after = Date.parse((await admin("/__admin/clock")).now);
      assert(after - before >= 24 * 3600e3, `the world moved ${(after - before) / 1000} s`);
      const timeline = page.locator(".timeline", { hasText: `+1${NUMBER}` });
      await timeline.locator('li[data-step="rerated"].done').waitFor();
    });

    await check("it stays responsive with 1,000 namespaces and a full journal", async () => {
      const filling = Date.now();
      await fill();
      const kept = (await admin("/__admin/namespaces?limit=1")).namespaces[0].journal;
      console.log(`  (filled in ${Date.now() - filling} ms; the journal keeps ${kept.requests} entries, ${kept.bytes} bytes)`);
      const started = Date.now();
      await page.reload();
      await page.locator("#ns-page", { hasText: "1–50 of 1001" }).waitFor();
      await page.locator("#journal-total", { hasText: `${kept.requests} matching` }).waitFor();
      const rows = await page.locator("#journal-rows tr.entry").count();
      assert(rows === 50, `${rows} journal rows on a page`);
      const took = Date.now() - started;
      assert(took < 5000, `the page took ${took} ms to show`);
      await page.click("#journal-older");
      await page.locator("#journal-range", { hasText: /^ids \d+–\d+$/ }).waitFor();
      await page.click("#ns-next");
      await page.locator("#ns-page", { hasText: "51–100 of 1001" }).waitFor();
      console.log(`  (shown in ${took} ms)`);
    });

    await check("with --admin-token the page asks for the token and reads with it", async () => {
      const guarded = await context.newPage();
      try {
        await guarded.goto(`${process.env.WABASIM_TOKEN_URL}/__admin/ui`);
        await guarded.locator("#token-dialog[open]").waitFor();
        await guarded.fill("#token-input", "dashboard-secret");
        await guarded.click("#token-save");
        await guarded.waitForFunction(() => /^\d{4}-/.test(document.getElementById("clock-now").textContent));
        await guarded.locator('tr[data-phone-id="110000000000001"]').waitFor();
      } finally {
        await guarded.close();
      }
    });

    await check("the page ran without script errors or requests of its own to the facades", async () => {
      assert(problems.length === 0, problems.join("; "));
      // A browser's own requests (a favicon) would land in the Graph facade's journal.
      const stray = await admin("/__admin/requests?unmatched=true");
      assert(stray.total === 0, `unmatched requests: ${JSON.stringify(stray.requests.map((e) => e.path))}`);
    });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`dashboard: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(`FAIL dashboard test: ${e.stack}`);
  console.log(`dashboard: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
