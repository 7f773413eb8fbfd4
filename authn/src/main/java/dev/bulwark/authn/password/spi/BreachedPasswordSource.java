package dev.bulwark.authn.password.spi;

/**
 * How often a password appears in known breach corpora, by the SHA-1 of its UTF-8 bytes (the key
 * of the k-anonymity range files and range APIs). {@link dev.bulwark.authn.password.PasswordPolicy}
 * hashes the NFKC-normalised candidate and asks this source; the candidate itself never reaches it.
 *
 * <p>One method, so any breach store fits with a method reference, e.g. bulwark-detect's offline
 * index or range-API client: {@code BreachedPasswordSource source = rangeIndex::timesSeen;}
 * (authn does not depend on detect; the host writes that line).
 *
 * <p>Contract for implementers: MUST be thread-safe; MUST NOT log or keep the hash; MUST throw
 * (any unchecked exception) when it cannot answer, never answer 0 for "do not know". What the
 * policy then does is its configured {@link dev.bulwark.authn.password.PasswordPolicy.OnSourceFailure}.
 */
@FunctionalInterface
public interface BreachedPasswordSource {

  /**
   * How many times the password with this SHA-1 (20 bytes) was seen; 0 if never.
   *
   * @throws RuntimeException if the source cannot answer (network, file, malformed data)
   */
  long timesSeen(byte[] sha1);
}
