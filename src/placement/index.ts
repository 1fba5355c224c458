// Placement scriptlets: migration-manager's `placement(instance, batch)` Starlark hook.

export { apiNameProblem } from './api-name.js';
export { PLACEMENT_BUILTINS, type LogLevel, type PlacementLog } from './builtins.js';
export { defaultNetworkName, defaultPlacement, type BatchPlacementDefaults, type NetworkOverrides } from './default-placement.js';
export { DEFAULT_PLACEMENT_LIMITS } from './limits.js';
export { copyPlacement, type NetworkPlacement, type NicType, type Placement } from './placement.js';
export { runPlacement, type PlacementFailure, type PlacementResult } from './run.js';
export {
  compilePlacementScriptlet,
  type CompileScriptletResult,
  type PlacementScriptlet,
  type ScriptletProblem,
  type ScriptletProblemCode,
} from './scriptlet.js';
