/**
 * Typed calls for wabasim's control API (`/__admin/`, docs/control-api.md), for one namespace.
 * Every call carries the namespace header, so a `Control` steers only its own isolated world.
 * Uses the global `fetch` (Node 18+): no dependencies.
 */

/** src/wire/mod.rs NAMESPACE_HEADER; docs/contract.md. */
export const NAMESPACE_HEADER = "X-Wabasim-Namespace";

export type Json = Record<string, unknown>;

export interface Health { status: "ok"; version: string; namespace: string; exists: boolean }
export interface Clock { now: string; unix_ms: number; frozen: boolean }
export interface Code {
  phone_number_id: string; phone_number: string; code: string;
  method: string; language: string; sent_at: string;
}
export interface Fault extends Json { id: string; seen: number; hits: number }
export interface RecordedRequest extends Json {
  id: string; method: string; path: string; facade: string; operation: string;
  status: number; namespace: string;
}
export interface Delivery extends Json { field: string; state: string; payload: Json; body: string }

/** Journal filters (docs/control-api.md, "Request journal"). */
export interface RequestFilter {
  facade?: string; operation?: string; method?: string; path?: string;
  status?: string | number; error?: string; since?: string; until?: string; after?: string;
  unmatched?: boolean; faulted?: boolean; namespace?: string; limit?: number;
}
/** Webhook delivery filters. */
export interface DeliveryFilter { field?: string; waba?: string; app?: string; state?: string }

/** The control API answered non-2xx: `status` and the decoded `body` say why. */
export class ControlError extends Error {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly body: unknown) {
    super(`${method} ${path} answered ${status}: ${typeof body === "string" ? body : JSON.stringify(body)}`);
    this.name = "ControlError";
  }
}

function query(filters: object): string {
  const pairs = Object.entries(filters).filter(([, v]) => v !== undefined && v !== null);
  return pairs.length ? "?" + new URLSearchParams(pairs.map(([k, v]) => [k, String(v)])).toString() : "";
}

export interface ControlOptions { namespace?: string; adminToken?: string }

export class Control {
  readonly url: string;
  readonly namespace?: string;
  readonly adminToken?: string;

  constructor(url: string, options: ControlOptions = {}) {
    this.url = url.replace(/\/+$/, "");
    this.namespace = options.namespace;
    this.adminToken = options.adminToken;
  }

  /** The header a client under test sends to work in this namespace. */
  get headers(): Record<string, string> {
    return this.namespace ? { [NAMESPACE_HEADER]: this.namespace } : {};
  }

  /** The same server's control API for another namespace. */
  inNamespace(name: string): Control {
    return new Control(this.url, { namespace: name, adminToken: this.adminToken });
  }

  /** One control-API call; `body` is sent as JSON (a string as is: YAML fixtures). */
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.adminToken) headers.Authorization = `Bearer ${this.adminToken}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      headers["Content-Type"] = typeof body === "string" ? "application/yaml" : "application/json";
    }
    const answer = await fetch(this.url + path, { method, headers, body: payload });
    const text = await answer.text();
    let decoded: unknown = text;
    try { decoded = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text */ }
    if (!answer.ok) throw new ControlError(method, path, answer.status, decoded);
    return decoded as T;
  }

  // --- server and world ---------------------------------------------------------------

  /** Never creates the namespace. */
  health(): Promise<Health> { return this.call("GET", "/__admin/health"); }
  /** Rebuilds this namespace's world and faults from its fixture; empties its journal and outbox. */
  async reset(): Promise<void> { await this.call("POST", "/__admin/reset"); }
  state(): Promise<Json> { return this.call("GET", "/__admin/state"); }
  /** Replaces this namespace's world with a fixture (YAML text or an object). */
  loadFixture(fixture: string | Json): Promise<{ loaded: Json }> { return this.call("POST", "/__admin/fixture", fixture); }
  async createNamespace(name: string, fixture?: string): Promise<Control> {
    await this.call("POST", "/__admin/namespaces", fixture === undefined ? { name } : { name, fixture });
    return this.inNamespace(name);
  }
  /** Drops `name` (default: this namespace) with its world, journal and outbox. */
  async deleteNamespace(name = this.namespace): Promise<void> {
    if (!name) throw new Error("give the namespace to delete");
    await this.call("DELETE", "/__admin/namespaces/" + encodeURIComponent(name));
  }

  // --- clock --------------------------------------------------------------------------

  clock(): Promise<Clock> { return this.call("GET", "/__admin/clock"); }
  /** `"24h"`, `"2h 30m"`, or seconds. Due timers and webhook retries run. */
  advance(duration: string | number): Promise<Clock> {
    return this.call("POST", "/__admin/clock/advance", typeof duration === "string" ? { duration } : { seconds: duration });
  }
  /** RFC 3339 (`2026-01-02T00:00:00Z`). */
  setClock(to: string): Promise<Clock> { return this.call("POST", "/__admin/clock/set", { to }); }
  freezeClock(): Promise<Clock> { return this.call("POST", "/__admin/clock/freeze"); }
  unfreezeClock(): Promise<Clock> { return this.call("POST", "/__admin/clock/unfreeze"); }

  // --- verification codes -------------------------------------------------------------

  async codes(filter: { phone_number_id?: string; phone_number?: string } = {}): Promise<Code[]> {
    return (await this.call<{ codes: Code[] }>("GET", "/__admin/codes" + query(filter))).codes;
  }
  /** The last code sent to a phone-number id; throws when none was. */
  async latestCode(phoneNumberId: string): Promise<string> {
    const codes = await this.codes({ phone_number_id: phoneNumberId });
    if (!codes.length) throw new Error(`no verification code was sent to phone number ${phoneNumberId}`);
    return codes[codes.length - 1].code;
  }

  // --- faults -------------------------------------------------------------------------

  /** A fixture's `faults:` entry (docs/faults.md); returns its id. */
  async addFault(fault: Json): Promise<string> { return (await this.call<{ id: string }>("POST", "/__admin/faults", fault)).id; }
  async faults(): Promise<Fault[]> { return (await this.call<{ faults: Fault[] }>("GET", "/__admin/faults")).faults; }
  async removeFault(id: string): Promise<void> { await this.call("DELETE", "/__admin/faults/" + encodeURIComponent(id)); }
  async clearFaults(): Promise<number> { return (await this.call<{ deleted: number }>("DELETE", "/__admin/faults")).deleted; }

  // --- request journal ----------------------------------------------------------------

  async requests(filter: RequestFilter = {}): Promise<RecordedRequest[]> {
    return (await this.call<{ requests: RecordedRequest[] }>("GET", "/__admin/requests" + query(filter))).requests;
  }
  async count(filter: RequestFilter = {}): Promise<number> {
    return (await this.call<{ count: number }>("POST", "/__admin/requests/count", filter)).count;
  }
  /** Throws unless exactly `times` recorded requests match; the error lists what was seen. */
  async expect(times: number, filter: RequestFilter): Promise<void> {
    const seen = await this.count(filter);
    if (seen === times) return;
    const last = (await this.requests({ limit: 50 })).map((r) => `  ${r.method} ${r.path} -> ${r.status} (${r.operation})`);
    throw new Error(
      `expected ${times} request(s) matching ${JSON.stringify(filter)}, saw ${seen}; the namespace's last requests:\n` +
        (last.join("\n") || "  (none)"),
    );
  }
  async unmatched(): Promise<RecordedRequest[]> {
    return (await this.call<{ requests: RecordedRequest[] }>("GET", "/__admin/requests/unmatched")).requests;
  }

  // --- messaging ----------------------------------------------------------------------

  /** A simulated WhatsApp user: name, reach ("online" | "unreachable"), offline_until,
   *  stopped_marketing, reads, user_id (docs/control-api.md, "Messaging"). */
  describeRecipient(waId: string, fields: Json = {}): Promise<Json> {
    return this.call("POST", "/__admin/recipients", { wa_id: waId, ...fields });
  }
  /** That user writes to the number: `{ text }`, or `{ type, [type]: {...}, context? }`
   *  (image, location, contacts, reaction, interactive, button, order...). The 24-hour window
   *  opens and a `messages` webhook goes out; answers `{ message_id, media_id? }`. */
  userWrites(phoneNumberId: string, user: string, message: Json = {}): Promise<Json> {
    return this.call("POST", "/__admin/inbound", { phone_number_id: phoneNumberId, from: user, ...message });
  }
  /** The ledger: `currency`, `booked`, totals per business and WABA, and each charge. */
  billing(): Promise<Json> { return this.call("GET", "/__admin/billing"); }

  // --- webhooks -----------------------------------------------------------------------

  /** Sets an app's own webhook URL (and verify token for the GET handshake). */
  setWebhook(appId: string, webhookUrl: string, verifyToken?: string): Promise<Json> {
    const body: Json = { webhook_url: webhookUrl };
    if (verifyToken !== undefined) body.verify_token = verifyToken;
    return this.call("POST", `/__admin/webhooks/apps/${encodeURIComponent(appId)}`, body);
  }
  async webhooks(filter: DeliveryFilter = {}): Promise<Delivery[]> {
    return (await this.call<{ deliveries: Delivery[] }>("GET", "/__admin/webhooks" + query(filter))).deliveries;
  }
  /** Waits (server side, at most 60 s) until a delivery matches; throws if none did. */
  async waitForWebhook(filter: DeliveryFilter, timeoutMs = 5000): Promise<Delivery[]> {
    const wait = `${Math.max(0, Math.min(timeoutMs, 60000)) | 0}ms`;
    const found = (await this.call<{ deliveries: Delivery[] }>("GET", "/__admin/webhooks" + query({ ...filter, wait }))).deliveries;
    if (!found.length) throw new Error(`no webhook delivery matching ${JSON.stringify(filter)} within ${timeoutMs} ms`);
    return found;
  }
}
