// HessianCore: the library product that re-exports the core modules, so that `import HessianCore` gives all of them.
// Each has one role (Package.swift draws the layers):
//   NetworkModel          the model: architecture (layers, bias), activations, problems, the seeded draw, exact inputs
//   HessianConstructions  the exact Hessian constructions behind one seam (ExactHessian), and the float Hessians
//   HessianAnalysis       the pipeline: ranks, bounds, the diagnosis of the point, verdicts, memory estimates
//   HessianStudies        grids and studies: verify's grid, sweeps, calibration
//   HessianReports        what is written for people and tools: JSON reports, certificates, fixtures, SVG plots
@_exported import HessianAnalysis
@_exported import HessianConstructions
@_exported import HessianReports
@_exported import HessianStudies
@_exported import NetworkModel
