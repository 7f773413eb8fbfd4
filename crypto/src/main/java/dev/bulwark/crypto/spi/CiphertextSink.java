package dev.bulwark.crypto.spi;

import dev.bulwark.common.Bytes;

/**
 * Where bulk rewrap writes a rewrapped ciphertext.
 *
 * <p>SHOULD replace atomically and only if the stored value still equals {@code expected}
 * (compare-and-set), returning false otherwise so a concurrent update is never overwritten. An
 * exception leaves the item counted as failed; it stays on its old version.
 */
@FunctionalInterface
public interface CiphertextSink {
  /** Replaces item {@code id}'s ciphertext. */
  boolean replace(String id, Bytes expected, Bytes replacement) throws Exception;
}
