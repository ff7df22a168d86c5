/**
 * The etcd version a member runs, as `major.minor.patch`, from the two places talosctl shows it:
 *   - `etcd status` PROTOCOL (v1.11+): the server's own version, plain: `3.6.4`;
 *   - `get etcdspec etcd` spec.image (every release): `gcr.io/etcd-development/etcd:v3.5.21`,
 *     `...:v3.5.16-arm64`, `registry.k8s.io/etcd:v3.6.12`, `registry.k8s.io/etcd:3.7.1`, `...:3.5.21-0`.
 * Anything we cannot read with confidence is null ("unknown"), never a guess: the version decides which known
 * defrag hazards apply, and a wrong version would hide one.
 */

/** `v` prefix optional; suffixes seen on etcd tags: an architecture (`-arm64`) or a rebuild number (`-0`). */
const TAG = /^v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})((?:-(?:arm64|amd64|arm|ppc64le|s390x|\d{1,4}))*)$/;

/** `3.6.4`, `v3.6.4`, `3.5.21-0` -> `3.6.4`; pre-releases (`3.6.0-rc.1`) and anything else -> null. */
export function parseEtcdVersion(text: string): string | null {
  const match = TAG.exec(text.trim());
  if (match === null) return null;
  const [, major = "", minor = "", patch = ""] = match;
  return [major, minor, patch].map((part) => String(Number(part))).join(".");
}

/**
 * The version in an image reference's tag. A digest (`@sha256:...`) decides what actually runs whatever the tag
 * says, so a digest-pinned image is unknown; so is an image without a tag (`:latest` implied).
 */
export function versionFromImage(image: string): string | null {
  const ref = image.trim();
  if (ref === "" || ref.includes("@")) return null;
  // The tag is after the last ':' of the last path segment (a registry host may carry a port: host:5000/etcd).
  const lastSegment = ref.slice(ref.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 0) return null;
  return parseEtcdVersion(lastSegment.slice(colon + 1));
}
