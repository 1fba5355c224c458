import { describe, expect, it } from 'vitest';
import { batch, desired, H, M, T0, vm, window, World } from './fixture.js';

describe('a migration from start to finish', () => {
  it('goes Waiting → Creating → background import → final import → post-import → Finished in a batch without windows', () => {
    const world = new World(desired({ batches: [batch('wave-1')] }), [vm('web-01')]);
    world.tick();
    expect(world.entry('web-01')).toMatchObject({ status: 'waiting', message: 'Performing initial migration checks' });
    expect(world.status.batches['wave-1']).toMatchObject({ status: 'Running', start_date: T0 });
    const seen: string[] = [];
    for (let i = 0; i < 20 && world.entry('web-01').status !== 'finished'; i++) {
      world.tick(M);
      seen.push(`${world.entry('web-01').status}${world.kinds().length ? ` [${world.kinds().join(',')}]` : ''}`);
      world.end();
    }
    expect(seen).toEqual([
      'creating [create_instance]',
      'background_import [import_disks:background]',
      'final_import [power_off_source]',
      'final_import [import_disks:final]',
      'post_import [post_import]',
      'worker_done [finalize_instance]',
      'finished',
    ]);
    expect(world.status.batches['wave-1']!.status).toBe('Finished');
    expect(world.entry('web-01').history.map((h) => h.to)).toEqual(['waiting', 'creating', 'idle', 'background_import', 'idle', 'final_import', 'idle', 'post_import', 'worker_done', 'finished'].slice(-10));
  });

  it('waits for its window and cuts over inside it', () => {
    const night = window('night', T0 + 5 * H, T0 + 9 * H);
    const world = new World(desired({ batches: [batch('wave-1', { windows: [night], intervalMs: 30 * M })] }), [vm('web-01')]);
    world.runUntil('web-01', 'idle');
    world.runUntil('web-01', 'idle');
    expect(world.entry('web-01')).toMatchObject({ import_stage: 'final', message: 'Waiting for migration window night (begins 2026-12-01 17:00 UTC)' });
    expect(world.last!.wakeAt).toBe(world.entry('web-01').last_background_sync! + 30 * M);
    world.now = T0 + 5 * H + 1;
    world.tick();
    expect(world.entry('web-01')).toMatchObject({ status: 'final_import', window: 'night' });
  });
});
