/**
 * The Node helper, as built (dist/esm and dist/cjs), against the real binary (WABASIM_BIN):
 * one server for the file, a namespace per test, the typed control API, and the
 * `whatsapp-business` client pointed at it (reference/clients-and-360dialog.md §1.2:
 * `client.restClient.fetch.defaults.baseURL`).
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WABAClient } from "whatsapp-business";
import { Control, ControlError, NAMESPACE_HEADER, Server, ServerError, VERSION, withNamespace } from "../dist/esm/index.js";

const TOKEN = "wabasim-new-bsp"; // the default world's New BSP token (docs/contract.md)
const DEST_WABA = "200000000000002";

let server: Server;
beforeAll(async () => { server = await Server.start(); });
afterAll(async () => { await server?.stop(); });

async function graph(control: Control, method: string, path: string, form?: Record<string, string>) {
  const answer = await fetch(`${control.url}/v23.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...control.headers },
    body: form ? new URLSearchParams(form) : undefined,
  });
  return { status: answer.status, body: (await answer.json()) as any };
}

async function startMigration(control: Control): Promise<string> {
  const { status, body } = await graph(control, "POST", `/${DEST_WABA}/phone_numbers`, {
    cc: "1", phone_number: "5550100001", migrate_phone_number: "true",
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.id;
}

function wabaClient(control: Control): WABAClient {
  const client = new WABAClient({ apiToken: TOKEN, accountId: DEST_WABA, phoneId: "" });
  const axios = (client as any).restClient.fetch;
  axios.defaults.baseURL = `${control.url}/v23.0`;
  Object.assign(axios.defaults.headers.common, control.headers);
  return client;
}

describe("wabasim helper", () => {
  it("is versioned with the binary, and builds to ESM and CJS", async () => {
    const cargo = readFileSync(process.env.WABASIM_REPO ? `${process.env.WABASIM_REPO}/Cargo.toml` : new URL("../../../Cargo.toml", import.meta.url), "utf8");
    const version = /^version = "([^"]+)"/m.exec(cargo)![1];
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect([pkg.version, VERSION]).toEqual([version, version]);
    expect((await server.control().health()).version).toBe(version);
    const cjs = createRequire(import.meta.url)("../dist/cjs/index.js");
    expect(cjs.NAMESPACE_HEADER).toBe(NAMESPACE_HEADER);
  });

  it("drives a migration through whatsapp-business in a namespace of its own", () =>
    withNamespace(server.url, "whatsapp-business migration", async (control) => {
      const phone = await startMigration(control);
      const wa = wabaClient(control);
      await wa.requestPhoneNumberVerificationCode({ phoneNumberId: phone, code_method: "SMS", language: "en_US" });
      await wa.verifyPhoneNumberCode({ phoneNumberId: phone, code: await control.latestCode(phone) });
      await wa.registerPhone({ phoneNumberId: phone, pin: "123456" });
      await control.expect(1, { operation: "register", status: 200 });
      const number: any = await wa.getSingleBusinessPhoneNumber(phone);
      expect(number.id).toBe(phone);
      await control.inNamespace(control.namespace + "-other").expect(0, { operation: "register" });

      const before = await control.clock();
      const after = await control.advance("24h");
      expect(after.now > before.now).toBe(true);
      expect((await control.setClock("2030-01-01T00:00:00Z")).now).toMatch(/^2030-01-01/);
      expect((await control.advance(90)).now).toMatch(/^2030-01-01T00:01:30/);
    }));

  it("scripts faults that the client library sees", () =>
    withNamespace(server.url, "faults", async (control) => {
      const phone = await startMigration(control);
      const id = await control.addFault({ match: { operation: "request_code" }, times: 1, error: "too_many_code_requests" });
      const wa = wabaClient(control);
      await expect(
        wa.requestPhoneNumberVerificationCode({ phoneNumberId: phone, code_method: "SMS", language: "en_US" }),
      ).rejects.toMatchObject({ code: expect.any(Number) });
      expect((await control.faults()).map((f) => [f.id, f.hits])).toEqual([[id, 1]]);
      await control.removeFault(id);
      expect(await control.faults()).toEqual([]);
      await control.expect(1, { operation: "request_code", faulted: true });
      await expect(control.expect(2, { operation: "request_code" })).rejects.toThrow(/saw 1.*\n.*request_code/s);
      await expect(control.count({ operation: "regsiter" })).rejects.toBeInstanceOf(ControlError);
    }));

  it("uploads a fixture, resets to it, and waits for webhooks", () =>
    withNamespace(server.url, "fixture", async (control) => {
      const loaded = await control.loadFixture("seed: 7\nbusinesses: []\npartners: []\napps: []\ntokens: []\nwabas: []\n");
      expect(loaded.loaded.wabas).toBe(0);
      await control.reset();
      expect((await graph(control, "GET", `/${DEST_WABA}`)).status).not.toBe(200);
      await expect(control.loadFixture("wabas: [")).rejects.toMatchObject({ status: 400 });
      await expect(control.waitForWebhook({ field: "account_update" }, 200)).rejects.toThrow(/no webhook delivery/);
    }));

  it("covers the rest of the surface", () =>
    withNamespace(server.url, "rest", async (control) => {
      expect((await control.freezeClock()).frozen).toBe(true);
      expect((await control.unfreezeClock()).frozen).toBe(false);
      expect(((await control.state()).apps as any[]).some((a) => a.id === "300000000000002")).toBe(true);
      await graph(control, "GET", `/${DEST_WABA}/no_such_edge`);
      expect((await control.unmatched())[0].unmatched).toBeTruthy();
      const other = await control.createNamespace(control.namespace + "-made");
      expect((await other.health()).exists).toBe(true);
      await control.deleteNamespace(other.namespace);
      expect((await other.health()).exists).toBe(false);
    }));

  it("plays users writing in and reads the ledger of a send", () =>
    withNamespace(server.url, "messaging", async (control) => {
      const phone = await startMigration(control);
      const wa = wabaClient(control);
      await wa.requestPhoneNumberVerificationCode({ phoneNumberId: phone, code_method: "SMS", language: "en_US" });
      await wa.verifyPhoneNumberCode({ phoneNumberId: phone, code: await control.latestCode(phone) });
      await wa.registerPhone({ phoneNumberId: phone, pin: "123456" });
      const user = "15554000002";
      expect((await control.describeRecipient(user, { name: "Rui" })).wa_id).toBe(user);
      const said = await control.userWrites(phone, user, { text: "Where is my parcel?" });
      expect(said.message_id).toMatch(/^wamid\./);
      const tapped = await control.userWrites(phone, user, {
        type: "reaction", reaction: { message_id: said.message_id, emoji: "👍" },
      });
      expect(tapped.message_id).not.toBe(said.message_id);
      await expect(control.userWrites(phone, user, { type: "location", location: { latitude: 91, longitude: 0 } }))
        .rejects.toMatchObject({ status: 400 });
      const answer = await fetch(`${control.url}/v23.0/${phone}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...control.headers },
        body: JSON.stringify({ messaging_product: "whatsapp", to: user, type: "text", text: { body: "Out today" } }),
      });
      const sent = ((await answer.json()) as any).messages[0].id;
      expect(((await control.billing()) as any).charges).toEqual([]); // charged when delivered
      await control.advance("2s");
      const ledger: any = await control.billing();
      expect(ledger.charges.map((c: any) => [c.message_id, c.phone_number_id])).toEqual([[sent, phone]]);
    }));

  it("names a missing binary", async () => {
    await expect(Server.start({ binary: "/nonexistent/wabasim" })).rejects.toBeInstanceOf(ServerError);
  });
});
