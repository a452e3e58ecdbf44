/**
 * Starting and stopping a `wabasim serve` process on a free port. The binary binds port 0 and
 * writes its address to `--port-file`: waiting for that file is race-free and needs no parsing
 * of the server's output.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Control, type ControlOptions } from "./control.js";

export const BIN_ENV = "WABASIM_BIN";

export class ServerError extends Error {
  constructor(message: string) { super(message); this.name = "ServerError"; }
}

function executable(path: string): boolean {
  try { accessSync(path, constants.X_OK); return true; } catch { return false; }
}

/** `binary`, else `$WABASIM_BIN`, else `wabasim` on PATH. */
export function findBinary(binary?: string): string {
  const chosen = binary ?? process.env[BIN_ENV] ?? (process.env.PATH ?? "").split(delimiter).map((d) => join(d, "wabasim")).find(executable);
  if (!chosen) {
    throw new ServerError(`no wabasim binary: set ${BIN_ENV}=/path/to/wabasim or put wabasim on PATH`);
  }
  if (!executable(chosen)) throw new ServerError(`${chosen} is not an executable file (${BIN_ENV} or PATH)`);
  return chosen;
}

export interface StartOptions {
  /** The binary; default `$WABASIM_BIN`, else `wabasim` on PATH. */
  binary?: string;
  /** Extra `serve` flags (`["--fixture", "world.yaml"]`). */
  args?: string[];
  /** How long to wait for the server to listen. */
  startTimeoutMs?: number;
}

/** A running `wabasim serve --listen 127.0.0.1:0`; `url` is its address. */
export class Server {
  private constructor(readonly url: string, readonly process: ChildProcess, readonly logPath: string, private readonly dir: string) {}

  static async start(options: StartOptions = {}): Promise<Server> {
    const binary = findBinary(options.binary);
    const dir = mkdtempSync(join(tmpdir(), "wabasim-"));
    const portFile = join(dir, "address");
    const logPath = join(dir, "serve.log");
    const log = openSync(logPath, "w");
    const child = spawn(binary, ["serve", "--listen", "127.0.0.1:0", "--port-file", portFile, ...(options.args ?? [])], {
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    const deadline = Date.now() + (options.startTimeoutMs ?? 30000);
    const logText = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
    while (!existsSync(portFile)) {
      if (child.exitCode !== null || child.signalCode !== null) {
        rmSync(dir, { recursive: true, force: true });
        throw new ServerError(`wabasim exited with ${child.exitCode ?? child.signalCode} before listening:\n${logText()}`);
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new ServerError(`wabasim did not listen in time:\n${logText()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return new Server(`http://${readFileSync(portFile, "utf8").trim()}`, child, logPath, dir);
  }

  /** What the server printed so far. */
  log(): string { return existsSync(this.logPath) ? readFileSync(this.logPath, "utf8") : ""; }

  control(options: ControlOptions = {}): Control { return new Control(this.url, options); }

  /** SIGTERM (the server drains in-flight requests), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10000): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
      this.process.kill("SIGTERM");
      const timer = setTimeout(() => this.process.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
