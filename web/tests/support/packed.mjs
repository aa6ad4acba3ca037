// The npm package as its users get it: `npm pack`, then the tarball installed into a
// throwaway project of their kind.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = fileURLToPath(new URL("../../package", import.meta.url));

/** npm, its output as text; throws with npm's own message when it fails. */
export const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** Packs the package into `dir`: `{ tarball, files }` (the paths inside the tarball). */
export function pack(dir) {
  const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", dir], packageDir));
  return { tarball: join(dir, packed.filename), files: packed.files.map((f) => f.path) };
}

/** A new project (`package.json` of `type`) with the tarball installed; its directory. */
export function consumerProject(name, type, tarball) {
  const dir = mkdtempSync(join(tmpdir(), `flowgate-${name}-`));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${name}`, private: true, type }));
  npm(["install", "--offline", "--no-audit", "--no-fund", tarball], dir);
  return dir;
}
