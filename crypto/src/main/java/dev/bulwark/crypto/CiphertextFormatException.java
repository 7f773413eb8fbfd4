package dev.bulwark.crypto;

import java.security.GeneralSecurityException;

/** A ciphertext that is not a well-formed Bulwark ciphertext (truncated, unknown version, bad lengths). */
public final class CiphertextFormatException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** With a message that describes the structure, never the content. */
  public CiphertextFormatException(String message) {
    super(message);
  }
}
