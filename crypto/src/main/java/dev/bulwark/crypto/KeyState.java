package dev.bulwark.crypto;

/** The life-cycle state of one KEK version in a {@link Keyring}. */
public enum KeyState {
  /** Encrypts new data keys and decrypts. Exactly one version of a live keyring is primary. */
  PRIMARY,
  /** Decrypts only (a former primary). */
  DECRYPT_ONLY,
  /** Neither encrypts nor decrypts; reversible with {@link Keyring#enable(int)}. */
  DISABLED,
  /** Key material destroyed; irreversible. */
  DESTROYED;

  /** Whether a version in this state may unwrap data keys. */
  public boolean canDecrypt() {
    return this == PRIMARY || this == DECRYPT_ONLY;
  }
}
