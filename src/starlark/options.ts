// Dialect flags: the fields of starlark-go's syntax.FileOptions, one flag each.

export interface DialectOptions {
  /** References to the `set` built-in (FileOptions.Set). */
  set: boolean;
  /** `while` statements (FileOptions.While). */
  while: boolean;
  /** `if`, `for` and `while` statements at top level (FileOptions.TopLevelControl). */
  topLevelControl: boolean;
  /** Reassigning top-level names (FileOptions.GlobalReassign). */
  globalReassign: boolean;
  /** Functions that call themselves, directly or through others (FileOptions.Recursion). */
  recursion: boolean;
  /** `load` binds globals instead of file-locals (FileOptions.LoadBindsGlobally, deprecated). */
  loadBindsGlobally: boolean;
}

/** The standard dialect: everything off, as starlark-go's zero FileOptions. */
export const STANDARD_DIALECT: Readonly<DialectOptions> = Object.freeze({
  set: false,
  while: false,
  topLevelControl: false,
  globalReassign: false,
  recursion: false,
  loadBindsGlobally: false,
});

export function dialect(options: Partial<DialectOptions> = {}): DialectOptions {
  return { ...STANDARD_DIALECT, ...options };
}
