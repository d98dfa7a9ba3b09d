import Testing
@testable import SalonSecurity

@Suite struct CryptoTests {
    @Test func hashKnownAnswers() {
        #expect(Crypto.hash(.sha1, "abc".bytes).hex == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Crypto.hash(.sha256, "abc".bytes).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Crypto.hash(.sha256, []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hmacKnownAnswers() {
        // RFC 2202 test case 2 and RFC 4231 test cases 2 and 6.
        let data = "what do ya want for nothing?".bytes
        #expect(Crypto.hmac(.sha1, key: "Jefe".bytes, data: data).hex == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(Crypto.hmac(.sha256, key: "Jefe".bytes, data: data).hex
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let longKey = [UInt8](repeating: 0xAA, count: 131)
        #expect(Crypto.hmac(.sha256, key: longKey, data: "Test Using Larger Than Block-Size Key - Hash Key First".bytes).hex
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        // An empty key and empty data (the copied template must still take a key of length 0).
        #expect(Crypto.hmac(.sha256, key: [], data: []).hex
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(Crypto.hmac(.sha1, key: [], data: []).hex == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d")
    }

    @Test func hmacFromManyThreadsAtOnce() async {
        // Every HMAC copies one shared template; copies made concurrently must all be right.
        let expected = Crypto.hmac(.sha1, key: "Jefe".bytes, data: "what do ya want for nothing?".bytes)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<500).allSatisfy { _ in
                        Crypto.hmac(.sha1, key: "Jefe".bytes, data: "what do ya want for nothing?".bytes) == expected
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }

    @Test(arguments: [
        (HashAlgorithm.sha1, 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
        (HashAlgorithm.sha1, 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
        (HashAlgorithm.sha1, 4096, "4b007901b765489abead49d926f721d065a429c1"),
        (HashAlgorithm.sha256, 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        (HashAlgorithm.sha256, 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        (HashAlgorithm.sha256, 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
    ])
    func pbkdf2KnownAnswers(algorithm: HashAlgorithm, iterations: Int, expected: String) {
        // RFC 6070 for SHA-1; the widely published equivalents for SHA-256.
        let output = Crypto.pbkdf2(algorithm, password: "password".bytes, salt: "salt".bytes, iterations: iterations)
        #expect(output.count == algorithm.digestLength)
        #expect(output.hex == expected)
    }

    @Test func pbkdf2ClampsNonsenseIterations() {
        let one = Crypto.pbkdf2(.sha1, password: "password".bytes, salt: "salt".bytes, iterations: 1)
        #expect(Crypto.pbkdf2(.sha1, password: "password".bytes, salt: "salt".bytes, iterations: 0) == one)
        #expect(Crypto.pbkdf2(.sha1, password: "password".bytes, salt: "salt".bytes, iterations: -5) == one)
    }

    @Test func randomBytes() {
        #expect(Crypto.randomBytes(0).isEmpty)
        #expect(Crypto.randomBytes(-1).isEmpty)
        let a = Crypto.randomBytes(32)
        let b = Crypto.randomBytes(32)
        #expect(a.count == 32)
        #expect(a != b)
    }

    @Test func nonceBytes() {
        #expect(Crypto.nonceBytes(0).isEmpty)
        #expect(Crypto.nonceBytes(-1).isEmpty)
        let a = Crypto.nonceBytes(24)
        #expect(a.count == 24)
        #expect(a != Crypto.nonceBytes(24))
    }

    @Test func constantTimeEqual() {
        #expect(Crypto.constantTimeEqual([], []))
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(!Crypto.constantTimeEqual([], [0]))
    }
}
