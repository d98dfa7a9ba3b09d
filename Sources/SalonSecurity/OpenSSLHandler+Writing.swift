import NIOCore

/// The write path: flushed plaintext goes through SSL_write (small writes gathered into one
/// record), ciphertext goes down in batches while the channel takes it.
extension OpenSSLHandler {
    /// Encrypts flushed writes while the channel is writable, then flushes.
    func writeFlushedData(context: ChannelHandlerContext) {
        // Flushing can re-enter through writability changes: the outer call loops instead.
        if isWritingFlushedData {
            writeAgain = true
            return
        }
        isWritingFlushedData = true
        defer { isWritingFlushedData = false }
        repeat {
            writeAgain = false
            encryptFlushedWrites(context: context, ignoringWritability: false)
            flushIfNeeded(context: context)
        } while writeAgain && state == .active
    }

    /// Turns flushed plaintext into ciphertext writes, handing ciphertext down in batches; `ignoringWritability` when closing.
    func encryptFlushedWrites(context: ChannelHandlerContext, ignoringWritability: Bool) {
        guard let connection else { return }
        var promises: [EventLoopPromise<Void>] = []
        while flushedWriteCount > 0, state == .active, ignoringWritability || context.channel.isWritable {
            let outcome: EncryptOutcome
            if flushedWriteCount > 1, let first = pendingWrites.first, first.data.readableBytes < Self.coalescingThreshold {
                outcome = encryptSmallWrites(connection: connection, allocator: context.channel.allocator, promises: &promises)
            } else {
                outcome = encryptFirstWrite(connection: connection, promises: &promises)
            }
            switch outcome {
            case .progressed:
                break
            case .stalled:
                emitCiphertext(context: context, promise: combine(promises, on: context.eventLoop))
                return
            case .failed(let error):
                for promise in promises { promise.fail(error) }
                fail(context: context, error: error)
                return
            }
            if connection.pendingCiphertext >= Self.ciphertextBatchSize {
                emitCiphertext(context: context, promise: combine(promises, on: context.eventLoop))
                promises.removeAll(keepingCapacity: true)
            }
        }
        if connection.pendingCiphertext > 0 || !promises.isEmpty {
            emitCiphertext(context: context, promise: combine(promises, on: context.eventLoop))
        }
    }

    /// Feeds (part of) the first write to SSL_write straight from its buffer.
    func encryptFirstWrite(connection: SSLConnection, promises: inout [EventLoopPromise<Void>]) -> EncryptOutcome {
        let index = pendingWrites.startIndex
        if pendingWrites[index].data.readableBytes > 0 {
            let result = pendingWrites[index].data.withUnsafeReadableBytes { bytes in
                connection.write(UnsafeRawBufferPointer(rebasing: bytes.prefix(Self.maximumWriteChunk)))
            }
            switch result {
            case .wroteBytes(let count):
                pendingWrites[index].data.moveReaderIndex(forwardBy: count)
                bufferedPlaintextBytes -= count
            case .wantsMoreData:
                return .stalled
            case .failed(let error):
                return .failed(error)
            }
        }
        if pendingWrites[index].data.readableBytes == 0 {
            let done = pendingWrites.removeFirst()
            flushedWriteCount -= 1
            if let promise = done.promise { promises.append(promise) }
        }
        return .progressed
    }

    /// Gathers consecutive small flushed writes into one record's worth and encrypts it in one go.
    func encryptSmallWrites(connection: SSLConnection, allocator: ByteBufferAllocator,
                                    promises: inout [EventLoopPromise<Void>]) -> EncryptOutcome {
        var total = 0
        var count = 0
        for write in pendingWrites.prefix(flushedWriteCount) {
            let size = write.data.readableBytes
            guard size < Self.coalescingThreshold, total + size <= Self.maximumRecordPayload else { break }
            total += size
            count += 1
        }
        var gathered = allocator.buffer(capacity: total)
        for _ in 0..<count {
            var write = pendingWrites.removeFirst()
            flushedWriteCount -= 1
            gathered.writeBuffer(&write.data)
            if let promise = write.promise { promises.append(promise) }
        }
        while gathered.readableBytes > 0 {
            let result = gathered.withUnsafeReadableBytes { connection.write($0) }
            switch result {
            case .wroteBytes(let written):
                gathered.moveReaderIndex(forwardBy: written)
                bufferedPlaintextBytes -= written
            case .wantsMoreData:
                // Put the rest back so it goes first once OpenSSL can write again.
                pendingWrites.prepend(PendingWrite(data: gathered, promise: nil))
                flushedWriteCount += 1
                return .stalled
            case .failed(let error):
                return .failed(error)
            }
        }
        return .progressed
    }

    /// Moves OpenSSL's waiting output to the channel (unflushed).
    func emitCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let pending = connection?.pendingCiphertext ?? 0
        guard pending > 0, let connection else {
            if let promise {
                // Nothing to send, but the promise must still complete in order with earlier writes.
                needsFlush = true
                context.write(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise)
            }
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: pending)
        connection.drainCiphertext(into: &buffer)
        needsFlush = true
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func flushIfNeeded(context: ChannelHandlerContext) {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }

    func combine(_ promises: [EventLoopPromise<Void>], on eventLoop: EventLoop) -> EventLoopPromise<Void>? {
        switch promises.count {
        case 0: return nil
        case 1: return promises[0]
        default:
            let combined = eventLoop.makePromise(of: Void.self)
            for promise in promises { combined.futureResult.cascade(to: promise) }
            return combined
        }
    }
}
