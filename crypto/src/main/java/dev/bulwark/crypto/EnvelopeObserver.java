package dev.bulwark.crypto;

/**
 * Hears every message an {@link Envelope} encrypts or decrypts, for metrics and traces (for
 * example {@code bulwark-micrometer}'s Observations); {@code bulwark-crypto} depends on no metrics
 * library. Set it with {@link Envelope.Builder#observer}; an envelope without one calls nothing.
 *
 * <p>What an observer learns is deliberately little: the operation, whether it was one message or
 * a stream, and the outcome with a {@link Failure} kind. It never sees a key, a plaintext, a
 * ciphertext, a size, a keyring id or an encryption context, so nothing it records can identify a
 * tenant or a record.
 *
 * <pre>{@code
 * // Given: Keyrings keyrings
 * Envelope envelope = Envelope.builder(keyrings)
 *     .observer((operation, mode) -> {
 *       long start = System.nanoTime();
 *       return new EnvelopeObserver.Message() {
 *         public void succeeded() {
 *           System.out.println(operation + " " + mode + " took " + (System.nanoTime() - start) + " ns");
 *         }
 *
 *         public void failed(EnvelopeObserver.Failure failure) {
 *           System.out.println(operation + " " + mode + " failed: " + failure);
 *         }
 *       };
 *     })
 *     .build();
 * }</pre>
 *
 * <p>Contract for implementers: MUST be thread-safe and fast (it runs on the caller's thread,
 * around every message). {@link #started} is called when the operation begins, and exactly one of
 * {@link Message#succeeded} or {@link Message#failed} on what it returned when it ends: for
 * {@code encrypt}/{@code decrypt} when the call returns or throws; for a stream or a seekable
 * channel when it is closed (succeeded) or at its first failure (failed), whichever comes first.
 * An exception an observer throws is logged through {@link System.Logger}
 * ({@code dev.bulwark.crypto}, WARNING) and never changes the outcome of the operation.
 */
@FunctionalInterface
public interface EnvelopeObserver {

  /** What is being done. */
  enum Operation {
    ENCRYPT,
    DECRYPT
  }

  /** One message ({@code encrypt}/{@code decrypt}) or a stream (streams and seekable channels). */
  enum Mode {
    ONE_SHOT,
    STREAM
  }

  /** Why an operation failed, in a few kinds that never name a key, keyring or context. */
  enum Failure {
    /** Authentication failed: altered ciphertext, another key, or another encryption context. */
    DECRYPTION_FAILED,
    /** The ciphertext is malformed, truncated, or of the other kind (stream vs one message). */
    MALFORMED,
    /** The keyring or key version is unknown, disabled, destroyed or below the minimum. */
    KEY_UNAVAILABLE,
    /** The keyring's scope was crypto-shredded. */
    SHREDDED,
    /** The stored keyrings do not authenticate under the master key. */
    KEYRING_INTEGRITY,
    /** The keyring store or the KEK provider is unreachable ({@link CryptoStoreException}). */
    STORE,
    /** The caller passed something invalid (a null context, for example). */
    INVALID_ARGUMENT,
    /** Reading or writing the underlying stream failed. */
    IO,
    /** Anything else. */
    OTHER
  }

  /** One operation in progress. */
  interface Message {
    /** The operation completed. */
    void succeeded();

    /** The operation failed with {@code failure}. */
    void failed(Failure failure);
  }

  /** Called as an operation begins; the returned message is told how it ended. Never null. */
  Message started(Operation operation, Mode mode);
}
