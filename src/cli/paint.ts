import { useColor, type CliIo } from './io.js';
import { sgr } from './terminal.js';

type Painter = (text: string) => string;

export type Palette = { red: Painter; yellow: Painter; green: Painter; bold: Painter; dim: Painter };

/**
 * Colours when the stream is a terminal and NO_COLOR is unset; plain text otherwise. The colours
 * are the sink's tokens (./terminal.ts), so only text written through `runCli`'s io shows them.
 */
export function paint(io: CliIo, stream: 'stdout' | 'stderr'): Palette {
  const on = useColor(io, stream);
  const wrap = (code: number, reset: number): Painter => (on ? (text) => `${sgr(code)}${text}${sgr(reset)}` : (text) => text);
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}

/** An entry's or a batch's status in the colour an operator scans for: red needs them, yellow waits on them. */
export function paintStatus(color: Palette, status: string): string {
  switch (status) {
    case 'Conflict':
    case 'Error':
      return color.red(status);
    case 'Blocked':
      return color.yellow(status);
    case 'Finished':
      return color.green(status);
    case 'Canceled':
    case 'Defined':
      return color.dim(status);
    default:
      return status;
  }
}
