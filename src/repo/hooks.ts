/**
 * Compilers the loader runs over the texts it finds. The expression language and the placement
 * scriptlets plug in here, so the loader reports their errors at file, line and column.
 */
export interface CompileHooks {
  /** Problems of an include expression; `offset` is a 0-based character index into `text`. */
  expression?(text: string): { offset: number; code: string; message: string; severity?: 'error' | 'warning' }[];
  /** Problems of a placement scriptlet; `line` and `column` are 1-based, inside `text`. */
  scriptlet?(text: string, filename: string): { line: number; column: number; code: string; message: string }[];
}
