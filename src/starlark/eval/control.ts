// Completion codes returned by compiled statements.

export const NEXT = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;

export type Completion = 0 | 1 | 2 | 3;
