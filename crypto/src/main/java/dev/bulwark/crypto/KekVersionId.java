package dev.bulwark.crypto;

/**
 * One KEK version of one keyring, as named in ciphertext headers.
 *
 * @param keyringId the keyring id
 * @param version the KEK version
 */
public record KekVersionId(String keyringId, int version) implements Comparable<KekVersionId> {
  /** Validates. */
  public KekVersionId {
    if (keyringId == null || version < 1) {
      throw new IllegalArgumentException("keyringId is required and version starts at 1");
    }
  }

  @Override
  public int compareTo(KekVersionId o) {
    int c = keyringId.compareTo(o.keyringId);
    return c != 0 ? c : Integer.compare(version, o.version);
  }
}
