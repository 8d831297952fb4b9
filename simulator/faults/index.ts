export {
  FaultInjector,
  type FaultInjectorOptions,
  type FaultReport,
  type InjectedFault,
} from './injector.js';
export { describePoint, type PlannedFault, planFaults } from './schedule.js';
export {
  checkFaultSpec,
  FAULT_DEFAULTS,
  FAULT_KINDS,
  type FaultDef,
  type FaultKind,
  type FaultPoint,
  type FaultSpec,
  loadFaultSpec,
  parseFaultSpec,
  type RandomFaults,
} from './spec.js';
