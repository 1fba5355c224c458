import { useColor, type CliIo } from './io.js';
import { sgr } from './terminal.js';

type Painter = (text: string) => string;

/**
 * Colours when the stream is a terminal and NO_COLOR is unset; plain text otherwise. The colours
 * are the sink's tokens (./terminal.ts), so only text written through `runCli`'s io shows them.
 */
export function paint(io: CliIo, stream: 'stdout' | 'stderr'): { red: Painter; yellow: Painter; green: Painter; bold: Painter; dim: Painter } {
  const on = useColor(io, stream);
  const wrap = (code: number, reset: number): Painter => (on ? (text) => `${sgr(code)}${text}${sgr(reset)}` : (text) => text);
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}
