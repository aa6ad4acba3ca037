// What the harness's tests share: the harness run as the suites run it, and whether a process
// it started is still there. Each test file starts servers of its own.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../../..", import.meta.url));
export const python = join(repo, ".venv/bin/python");
const harness = join(repo, "scripts/harness/prefect_harness.py");

/** Runs `python` with `args`; its exit code, stdout and stderr (never throws). */
export function pythonRun(args) {
  return new Promise((resolve) => {
    execFile(python, args, { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr });
    });
  });
}

/** Runs the harness; its exit code, stdout and stderr (never throws). */
export function harnessRun(args) {
  return pythonRun([harness, ...args]);
}

/** Whether `pid` runs (a zombie waiting for init to reap it does not). */
export function alive(pid) {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** A fresh state directory for a harness `start`; once test `t` is done, what the harness
 * started there is stopped and the directory removed. */
export function stateDir(t, name) {
  const dir = mkdtempSync(join(tmpdir(), `flowgate-harness-${name}-`));
  t.after(async () => {
    await harnessRun(["stop", dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
