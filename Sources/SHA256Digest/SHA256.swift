// SHA-256 (FIPS 180-4), for the digests that bind certificates and fixtures to their content.
//
// The hash is apple/swift-crypto's (`Crypto.SHA256`: BoringSSL's implementation on Linux, CryptoKit's on Apple
// platforms), a maintained and widely reviewed library, not one of our own. This module only fixes the two shapes the
// rest of the code uses, the 32 digest bytes and their 64 lowercase hexadecimal digits, so that the producer and the
// checker call one function by one name and neither imports Crypto itself (the import is internal: no Crypto type
// appears in this module's interface). Tested against the standard's examples ("abc", the empty string, the two-block
// message, a million 'a') in SHA256DigestTests.
internal import Crypto

public enum SHA256 {
    /// The 32-byte digest of `message`.
    public static func hash<Bytes: Collection>(_ message: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Array(Crypto.SHA256.hash(data: Array(message)))
    }

    /// The digest as 64 lowercase hexadecimal digits.
    public static func hex<Bytes: Collection>(_ message: Bytes) -> String where Bytes.Element == UInt8 {
        hash(message).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined()
    }
}
