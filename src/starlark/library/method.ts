// The shape of a built-in type's method, called with its receiver.

import type { Thread } from '../eval/thread.js';
import type { Kwargs, Value } from '../values/value.js';

export type MethodImpl = (thread: Thread, recv: Value, args: Value[], kwargs: Kwargs | null, name: string) => Value;
