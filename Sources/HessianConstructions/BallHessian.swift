// The Hessians of a network under a loss whose derivatives in the outputs are transcendental (cross-entropy,
// log-cosh), as ball matrices (`BallMatrix`: each entry a ball that contains the true real value):
//     H_O = sum_n J_n^T A_n J_n,    H_F = sum_n sum_c g_nc Hessian(f_c)(x_n),    H_L = H_O + H_F,
// with J_n and Hessian(f_c)(x_n) exact integers from the direct route (`DirectHessian.sampleDerivatives`) and A_n,
// g_n balls at the working precision (proofs/hessian-decomposition.md; the losses in proofs/statements/):
// - mse: A_n = I, g_n = f(x_n) - y_n (exact balls: a check of the assembly against the integer Hessians);
// - cross-entropy: pi_n = softmax(f(x_n)), A_n = diag(pi_n) - pi_n pi_n^T, g_n = pi_n - y_n;
// - log-cosh: t_n = f(x_n) - y_n, A_n = diag(sech^2 t_n), g_n = tanh t_n.
// Each is computed without subtracting nearly equal balls, so tiny probabilities keep their relative precision.
// Linear and ReLU hidden layers (away from kinks, where f is piecewise linear and these derivatives are exact).
// Dense p x p balls and N K integer p x p Hessians: for small networks (a few hundred parameters).
import BallArithmetic
import ExactAlgebra
import HessianReference
import NetworkModel

public enum BallHessian {
    /// The three parts at one working precision.
    public struct Parts {
        public init(loss: BallMatrix, outer: BallMatrix, functional: BallMatrix) {
            self.loss = loss
            self.outer = outer
            self.functional = functional
        }

        public let loss: BallMatrix
        public let outer: BallMatrix
        public let functional: BallMatrix

        public func matrix(_ part: HessianPart) -> BallMatrix {
            switch part {
            case .loss: loss
            case .outer: outer
            case .functional: functional
            }
        }
    }

    public static func build(_ problem: Problem, loss: Loss, activation: Activation = .linear,
                             precision bits: Int) throws(InputError) -> Parts {
        guard activation == .linear || activation == .relu else {
            throw InputError("ball Hessians: only linear and relu hidden layers so far; got \(activation)")
        }
        guard let network = problem.referenceNetwork, let reference = activation.reference else {
            throw InputError("ball Hessians: an entry of the network or data does not fit 127 bits")
        }
        let samples: [DirectHessian.SampleDerivatives]
        do {
            samples = try DirectHessian.sampleDerivatives(network, activation: reference)
        } catch {
            throw InputError("ball Hessians: \(error)")
        }
        let p = problem.parameterCount, k = problem.architecture.outputWidth
        let outer = BallMatrix(rows: p, columns: p), functional = BallMatrix(rows: p, columns: p)
        for (n, sample) in samples.enumerated() {
            guard let jacobian = small(sample.jacobian.flatMap { $0 }), let output = small(sample.output),
                  let targets = small(network.targets[n]) else {
                throw InputError("ball Hessians: a derivative does not fit 64 bits")
            }
            let (a, g) = lossDerivatives(output: output.map { Ball($0) }, targets: targets.map(Double.init), loss: loss, precision: bits)
            let j = BallMatrix(integers: (0..<k).map { Array(jacobian[($0 * p)..<(($0 + 1) * p)]) })
            outer.add(j.transposed.multiplied(by: a.multiplied(by: j, precision: bits), precision: bits), precision: bits)
            for c in 0..<k {
                guard let hessian = small(sample.outputHessians[c]) else {
                    throw InputError("ball Hessians: a second derivative does not fit 64 bits")
                }
                functional.add(integers: hessian, scaledBy: g[c], precision: bits)
            }
        }
        let total = BallMatrix(rows: p, columns: p)
        total.add(outer, precision: bits)
        total.add(functional, precision: bits)
        return Parts(loss: total, outer: outer, functional: functional)
    }

    /// A_n (K x K) and g_n (K balls) of `loss` at outputs f (balls) and targets y (exact doubles): the loss's second
    /// and first derivatives in the outputs.
    public static func lossDerivatives(output f: [Ball], targets y: [Double], loss: Loss, precision bits: Int) -> (BallMatrix, [Ball]) {
        let k = f.count
        let a = BallMatrix(rows: k, columns: k)
        switch loss {
        case .mse:
            for c in 0..<k { a.set(c, c, to: Ball(1)) }
            return (a, (0..<k).map { f[$0].subtracting(Ball(exactly: y[$0]), precision: bits) })
        case .crossEntropy:
            // Shifted by the largest midpoint: the same softmax, with every exponent near or below 0. No subtraction
            // of nearly equal balls: pi_c (1 - pi_c) is pi_c times the sum of the other probabilities, and for a
            // one-hot target pi_c - 1 is minus that sum, so probabilities like e^-300 keep their relative precision.
            let top = Ball(exactly: f.map(\.midpoint).max() ?? 0)
            let exps = f.map { $0.subtracting(top, precision: bits).exp(precision: bits) }
            let sum = exps.dropFirst().reduce(exps[0]) { $0.adding($1, precision: bits) }
            let pi = exps.map { $0.divided(by: sum, precision: bits) }
            func others(_ c: Int) -> Ball {
                let rest = (0..<k).filter { $0 != c }.map { pi[$0] }
                return rest.dropFirst().reduce(rest.first ?? Ball(0)) { $0.adding($1, precision: bits) }
            }
            for c in 0..<k {
                for d in 0..<k {
                    a.set(c, d, to: c == d ? pi[c].multiplied(by: others(c), precision: bits)
                                           : Ball(0).subtracting(pi[c].multiplied(by: pi[d], precision: bits), precision: bits))
                }
            }
            let oneHot = y.allSatisfy { $0 == 0 || $0 == 1 } && y.reduce(0, +) == 1
            return (a, (0..<k).map { c in
                oneHot && y[c] == 1 ? Ball(0).subtracting(others(c), precision: bits)
                    : pi[c].subtracting(Ball(exactly: y[c]), precision: bits)
            })
        case .logCosh:
            // sech^2 directly, rather than 1 - tanh^2 (which cancels for large arguments).
            let residuals = (0..<k).map { f[$0].subtracting(Ball(exactly: y[$0]), precision: bits) }
            let tanh = residuals.map { $0.tanh(precision: bits) }
            for c in 0..<k {
                let sech = residuals[c].sech(precision: bits)
                a.set(c, c, to: sech.multiplied(by: sech, precision: bits))
            }
            return (a, tanh)
        }
    }

    static func small(_ values: [Int128]) -> [Int]? {
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for v in values {
            guard let x = Int(exactly: v) else { return nil }
            result.append(x)
        }
        return result
    }
}
