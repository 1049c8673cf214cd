/**
 * Path helpers without `jsr:@std/path` (JSR is unreachable here).
 * @module
 */

/** A file URL for a path, resolved against the working directory when relative. */
export function toFileUrl(path: string): URL {
  return path.startsWith("/")
    ? new URL(`file://${encodePath(path)}`)
    : new URL(encodePath(path), `file://${encodePath(Deno.cwd())}/`);
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** The project's built-in tool folder, next to this file's folder. */
export const BUILTIN_TOOLS_DIR: string = new URL("../tools", import.meta.url).pathname;
