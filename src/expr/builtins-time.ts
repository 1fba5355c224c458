import { define, overloads } from './builtin-support.js';
import type { Budget } from './budget.js';
import { ExprFault, type Span } from './errors.js';
import type { FunctionDef } from './functions.js';
import { TimeParseError, parseDuration, parseTime } from './time-format.js';
import { DurationValue, LOCAL, TimeLocation, UTC } from './time-values.js';
import { DURATION, LOCATION, TIME, article, isAny, isStringLike } from './types.js';
import { text, type Value } from './values.js';

// expr-lang's time functions: duration(), date() and timezone(). now() is refused: an include
// expression must select the same instances whatever the time it is evaluated at.

/** The layouts date() tries in turn when it is given none. */
const DATE_LAYOUTS = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05Z07:00',
  '02 Jan 06 15:04 MST',
  'Monday, 02-Jan-06 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 MST',
];

/**
 * time.LoadLocation for the zones of a server running in UTC, where Local is UTC. Named zones
 * ("Europe/Paris") are refused: a documented difference with migration-manager, whose server
 * reads its zoneinfo files.
 */
function loadLocation(name: string, at: Span): TimeLocation {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  throw new ExprFault('expr-type', `unknown time zone ${name}: Ferry knows the time zones UTC and Local only`, at);
}

function parsing<T>(at: Span, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TimeParseError) throw new ExprFault('expr-type', error.message, at);
    throw error;
  }
}

function charge(budget: Budget, args: readonly Value[], at: Span): void {
  budget.charge(args.reduce((sum: number, arg) => sum + (typeof arg === 'string' ? arg.length : 1), 0), at);
}

export const TIME_FUNCTIONS: readonly FunctionDef[] = [
  define({
    name: 'duration',
    minArgs: 1,
    maxArgs: 1,
    usage: 'duration(text)',
    check: overloads('duration', [['string'], DURATION]),
    call: ([arg], _view, [span], budget, at) => {
      const source = text(arg!, 'duration', span!);
      budget.charge(source.length, at);
      const nanos = parseDuration(source);
      if (nanos === undefined) throw new ExprFault('expr-type', `time: invalid duration ${JSON.stringify(source)}`, at);
      return new DurationValue(nanos);
    },
  }),
  define({
    name: 'date',
    minArgs: 1,
    maxArgs: 4,
    usage: 'date([zone, ]text[, layout[, zone name]])',
    check: (args) => {
      const rest = args[0]?.kind === 'location' ? args.slice(1) : args;
      if (rest.length < 1) return { argument: -1, message: 'date needs the text of a date' };
      if (rest.length > 3) return { argument: -1, message: `date takes at most 3 arguments after a zone, got ${rest.length}` };
      return TIME;
    },
    call: (args, _view, spans, budget, at) => {
      charge(budget, args, at);
      const zoned = args[0] instanceof TimeLocation;
      const location = zoned ? (args[0] as TimeLocation) : UTC;
      const rest = zoned ? args.slice(1) : args;
      const restSpans = zoned ? spans.slice(1) : spans;
      const source = text(rest[0]!, 'date', restSpans[0]!);
      if (rest.length === 2) return parsing(at, () => parseTime(text(rest[1]!, 'date', restSpans[1]!), source, location));
      if (rest.length === 3) {
        const zone = loadLocation(text(rest[2]!, 'date', restSpans[2]!), restSpans[2]!);
        return parsing(at, () => parseTime(text(rest[1]!, 'date', restSpans[1]!), source, zone));
      }
      for (const layout of DATE_LAYOUTS) {
        try {
          return parseTime(layout, source, location);
        } catch (error) {
          if (!(error instanceof TimeParseError)) throw error;
        }
      }
      throw new ExprFault('expr-type', `invalid date ${source}`, at);
    },
  }),
  define({
    name: 'timezone',
    minArgs: 1,
    maxArgs: 1,
    usage: 'timezone(name)',
    check: ([arg]) => (isStringLike(arg!) || isAny(arg!) ? LOCATION : { argument: 0, message: `timezone needs a string, got ${article(arg!)}` }),
    call: ([arg], _view, [span], budget, at) => {
      const name = text(arg!, 'timezone', span!);
      budget.charge(name.length, at);
      return loadLocation(name, span!);
    },
  }),
  define({
    name: 'now',
    minArgs: 0,
    maxArgs: 1,
    usage: 'now()',
    check: () => ({ argument: -1, message: 'now() is not supported: an include expression selects the same instances whatever the time it runs at; compare with a fixed date("…") instead' }),
    call: (_args, _view, _spans, _budget, at) => {
      throw new ExprFault('expr-internal', 'now() cannot be evaluated', at);
    },
  }),
];
