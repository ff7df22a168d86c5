/** The package's version, for `--version`. */
import { readFileSync } from "node:fs";

/** Set by the bundler (scripts/build.mjs) to package.json's version; undeclared when src/ runs unbundled (tests). */
declare const PACKAGE_VERSION: string | undefined;

export function packageVersion(): string {
  // Embedded in the bundle: no file read at start, and no path from a bundle chunk to package.json to get wrong.
  if (typeof PACKAGE_VERSION === "string") return PACKAGE_VERSION;
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
