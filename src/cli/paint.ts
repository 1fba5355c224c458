import { useColor, type CliIo } from './io.js';

type Painter = (text: string) => string;

/** ANSI colours when the stream is a terminal and NO_COLOR is unset; plain text otherwise. */
export function paint(io: CliIo, stream: 'stdout' | 'stderr'): { red: Painter; yellow: Painter; green: Painter; bold: Painter; dim: Painter } {
  const on = useColor(io, stream);
  const wrap = (code: number, reset: number): Painter => (on ? (text) => `\u001b[${code}m${text}\u001b[${reset}m` : (text) => text);
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}
