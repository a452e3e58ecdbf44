/**
 * wabasim for Node tests: start the simulator binary on a free port (`Server.start`), give each
 * test a namespace of its own (`withNamespace`), and steer it through the control API
 * (`Control`). Versioned with the binary (Cargo.toml).
 */
import { randomBytes } from "node:crypto";
import { Control } from "./control.js";

export * from "./control.js";
export { Server, ServerError, findBinary, BIN_ENV, type StartOptions } from "./server.js";

/** The binary's version this helper speaks to. */
export const VERSION = "0.1.0";

/** A fresh namespace name for a test: visible ASCII, readable in the journal, unique. */
export function namespaceFor(testName: string): string {
  const stem = testName.replace(/[^A-Za-z0-9_.-]+/g, "-").slice(-60).replace(/^-+|-+$/g, "") || "test";
  return `${stem}-${randomBytes(4).toString("hex")}`;
}

/** Runs `body` with a Control on a fresh namespace of the server at `url`, dropped afterwards. */
export async function withNamespace<T>(url: string, testName: string, body: (control: Control) => Promise<T>): Promise<T> {
  const control = new Control(url, { namespace: namespaceFor(testName) });
  try {
    return await body(control);
  } finally {
    await control.deleteNamespace().catch((e) => {
      if (e?.status !== 404) throw e;
    });
  }
}
