// A local EC2 + STS + SSM + GitHub OIDC endpoint speaking the real wire protocols, for tests and local runs.
// Test infrastructure only: nothing under src/ may import it.
export { startSim } from './start-sim.js'
export type {
  AddContainerRecipeOptions,
  AddImageOptions,
  AddImageRecipeOptions,
  AddImageSnapshot,
  AddInstanceOptions,
  AddLaunchTemplateOptions,
  AddSnapshotOptions,
  BakeScript,
  FaultKind,
  FaultRule,
  InstanceStateName,
  LaunchTemplateVersionSeed,
  NextBakeOptions,
  PermissionRule,
  ProgressCurve,
  PutParameterOptions,
  RejectParameterRule,
  Sim,
  SimCall,
  SimImage,
  SimKeys,
  SimLaunchTemplate,
  SimOptions,
  SimParameter,
  SimParameterWrite,
  SimRole,
  SimService,
  SimSnapshot
} from './types.js'
