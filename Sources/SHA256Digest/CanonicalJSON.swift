// The digest of a JSON value, independent of how the file was formatted: the SHA-256 of its canonical form, which is
// the compact serialization with sorted keys and unescaped slashes. Certificates hold only objects, arrays, strings
// and integers (and, from format version 3, the booleans true and false), whose canonical form every JSON library can
// reproduce (Python: json.dumps(v, sort_keys=True, separators=(",", ":"))).
import Foundation

public enum CanonicalJSON {
    public static func bytes(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
    }

    public static func digest(_ value: Any) throws -> String { SHA256.hex(try bytes(value)) }
}
