package dev.bulwark.lifecycle.spi;

/**
 * Destroys the encryption key of one data subject, so that every copy of the subject's
 * encrypted data (including backups and replicas) becomes unreadable. An erasure request may
 * end with it; the crypto module (or any key store) implements it in the host, which wires it
 * with a lambda: {@code subject -> keyring.destroyScope("subject:" + subject).id()}.
 *
 * <p>Called only when no active legal hold covers the subject or its tenant, and no held record
 * of the subject remains. Implementations MUST be idempotent (destroying a destroyed key returns
 * a receipt again) and thread-safe, MUST NOT return null, and throw to report failure; the
 * exception is wrapped once and no evidence is recorded.
 */
@FunctionalInterface
public interface KeyShredder {

  /** Destroys the subject's key and returns a receipt (a key id or tombstone id) for the evidence. */
  String destroyKey(String subject) throws Exception;
}
