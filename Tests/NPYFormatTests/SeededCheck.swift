// Property checks that draw the same inputs on every run.
import PropertyBased

/// Runs `body` on `count` inputs drawn from `generator` by a xoshiro256** stream with a fixed seed, so that every run
/// and every machine checks the same inputs. (`propertyCheck` seeds itself from the system on each run, and its
/// `.fixedSeed` trait is for replaying one failure: it runs a single input and records an issue even when that input
/// passes.) `body` gets the input's index too, for its messages.
func seededCheck<Value>(seed: UInt64, count: Int, _ generator: Generator<Value, some Sequence>,
                        _ body: (Int, Value) throws -> Void) rethrows {
    // Distinct constants in the other three words keep the state away from xoshiro's all-zero fixed point.
    var rng = Xoshiro(seed: (seed, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
    for index in 0..<count {
        try body(index, generator.run(using: &rng))
    }
}
