// Dialect flags, named after starlark-go's resolve package options.

export interface DialectOptions {
  /** The `set` built-in (resolve.AllowSet). */
  set: boolean;
  /** Reassigning globals, and if/for/while at top level (resolve.AllowGlobalReassign). */
  globalReassign: boolean;
  /** `while` loops and recursive calls (resolve.AllowRecursion). */
  recursion: boolean;
  /** `load` binds globals instead of file-locals (resolve.LoadBindsGlobally, deprecated). */
  loadBindsGlobally: boolean;
}

/** The standard dialect: everything off, as in starlark-go's defaults. */
export const STANDARD_DIALECT: Readonly<DialectOptions> = Object.freeze({
  set: false,
  globalReassign: false,
  recursion: false,
  loadBindsGlobally: false,
});

export function dialect(options: Partial<DialectOptions> = {}): DialectOptions {
  return { ...STANDARD_DIALECT, ...options };
}
