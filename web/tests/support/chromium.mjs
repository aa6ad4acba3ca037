// Debian's Chromium for the JS-side tests and benchmarks, via playwright-core (never a
// downloaded browser), with the flags it needs as root on a headless machine that must not
// reach out.
import { chromium } from "playwright-core";

/** Chromium flags: no sandbox (root), no GPU, no background traffic. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--no-first-run", "--disable-quic"];

/** Chromium, headless: FLOWGATE_CHROMIUM, or Debian's. */
export function launchChromium() {
  const executablePath = process.env.FLOWGATE_CHROMIUM || "/usr/bin/chromium";
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
