package dev.bulwark.authn.password.internal;

import java.util.Objects;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Raw Argon2 (RFC 9106) over Bouncy Castle. Not part of the public API: hosts use
 * {@link dev.bulwark.authn.password.PasswordHasher}.
 */
public final class Argon2id {

  private Argon2id() {}

  /** Argon2 type ids as RFC 9106 numbers them. */
  public static final int ARGON2D = Argon2Parameters.ARGON2_d;
  public static final int ARGON2I = Argon2Parameters.ARGON2_i;
  public static final int ARGON2ID = Argon2Parameters.ARGON2_id;

  /**
   * Computes an Argon2 v1.3 tag.
   *
   * @param type {@link #ARGON2ID} for password hashing; the other types exist for the RFC vectors
   * @param secret the optional key {@code K} of RFC 9106 (may be null)
   * @param associatedData the optional {@code X} of RFC 9106 (may be null)
   */
  public static byte[] compute(int type, byte[] password, byte[] salt, byte[] secret, byte[] associatedData,
      int memoryKiB, int iterations, int parallelism, int tagLengthBytes) {
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(salt, "salt");
    Argon2Parameters.Builder b = new Argon2Parameters.Builder(type)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKiB)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt);
    if (secret != null) {
      b.withSecret(secret);
    }
    if (associatedData != null) {
      b.withAdditional(associatedData);
    }
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(b.build());
    byte[] out = new byte[tagLengthBytes];
    generator.generateBytes(password, out);
    return out;
  }
}
