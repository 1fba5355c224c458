// A long watch waits thousands of times on one abort signal: each wait must take its listener
// away when it ends, or they pile up (Node warns MaxListenersExceededWarning past ten).

import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onAbort, sleep } from '../../src/reconcile/run.js';

describe('waiting on an abort signal', () => {
  it('leaves no listener behind, however many waits end by their timer or early', async () => {
    const controller = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 50; i++) expect(await sleep(0, controller.signal)).toBe(true);
      for (let i = 0; i < 50; i++) expect(await sleep(60_000, controller.signal, Promise.resolve())).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      const pending = sleep(60_000, controller.signal);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      controller.abort();
      expect(await pending).toBe(false);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('onAbort calls its handler once, and not after it stopped listening', () => {
    const controller = new AbortController();
    let calls = 0;
    const stop = onAbort(controller.signal, () => calls++);
    const stopped = onAbort(controller.signal, () => calls += 100);
    stopped();
    controller.abort();
    stop();
    expect(calls).toBe(1);
    expect(onAbort(undefined, () => calls++)).toBeTypeOf('function');
  });
});
