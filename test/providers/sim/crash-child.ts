// A process that runs one VM through create and a background pass on a persisted world, for the
// crash tests: run with `node --import tsx crash-child.ts STATE_FILE [SIMULATION_EVENTS]`, and
// FERRY_CRASH_AT to kill it at a step. Prints "done" when it got through.

import { attemptOf, openSim, record, settle } from './fixture.js';

const [stateFile, events] = process.argv.slice(2);
const sim = await openSim({ stateFile: stateFile!, ...(events ? { events } : {}) });
const a = attemptOf(await record(sim, 'vm-a'));
await sim.providers.target('east').createInstance(a.create());
await settle(sim, sim.world.now() + 60_000);
await sim.providers.transfers.importDisks(a.importDisks('background'));
await sim.providers.source('dc').powerOff(a.power('power_off_source'));
await sim.providers.close();
process.stdout.write('done\n');
