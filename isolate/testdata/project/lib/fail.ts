export function fail(): never {
  // The stack trace must name this file and line.
  throw new TypeError("failing on purpose");
}
