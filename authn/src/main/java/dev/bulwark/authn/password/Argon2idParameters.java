package dev.bulwark.authn.password;

/**
 * Cost parameters of Argon2id (RFC 9106) as stored in a PHC string.
 *
 * <p>{@link #OWASP} is the default: m=19 MiB, t=2, p=1, a 16-byte salt and a 32-byte tag, the
 * first row of the OWASP Password Storage Cheat Sheet. Parameters below that floor are accepted
 * only through {@link #unchecked} (for tests and for reading old hashes); {@link PasswordHasher}
 * reports hashes made with weaker parameters through {@code needsRehash}.
 *
 * @param memoryKiB memory cost {@code m} in KiB, at least {@code 8 * parallelism}
 * @param iterations time cost {@code t}, 1..{@value #MAX_ITERATIONS}
 * @param parallelism lanes {@code p}, 1..{@value #MAX_PARALLELISM}
 * @param saltLengthBytes salt length, 16..64 bytes when hashing (8 accepted when reading)
 * @param hashLengthBytes tag length, 16..64 bytes
 */
public record Argon2idParameters(
    int memoryKiB, int iterations, int parallelism, int saltLengthBytes, int hashLengthBytes) {

  /** Upper bound on {@code m} accepted from a stored hash (2 GiB), so a hostile row cannot exhaust memory. */
  public static final int MAX_MEMORY_KIB = 1 << 21;

  public static final int MAX_ITERATIONS = 64;
  public static final int MAX_PARALLELISM = 16;

  /** OWASP's floor: m=19456 KiB (19 MiB), t=2, p=1, 16-byte salt, 32-byte hash. */
  public static final Argon2idParameters OWASP = new Argon2idParameters(19_456, 2, 1, 16, 32);

  public Argon2idParameters {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException("parallelism must be in 1.." + MAX_PARALLELISM + ", was " + parallelism);
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          "memoryKiB must be in " + (8 * parallelism) + ".." + MAX_MEMORY_KIB + ", was " + memoryKiB);
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be in 1.." + MAX_ITERATIONS + ", was " + iterations);
    }
    if (saltLengthBytes < 8 || saltLengthBytes > 64) {
      throw new IllegalArgumentException("saltLengthBytes must be in 8..64, was " + saltLengthBytes);
    }
    if (hashLengthBytes < 16 || hashLengthBytes > 64) {
      throw new IllegalArgumentException("hashLengthBytes must be in 16..64, was " + hashLengthBytes);
    }
  }

  /** Parameters as given, without the OWASP floor check: for tests and legacy hashes only. */
  public static Argon2idParameters unchecked(int memoryKiB, int iterations, int parallelism) {
    return new Argon2idParameters(memoryKiB, iterations, parallelism, 16, 32);
  }

  /**
   * True when these parameters cost at least as much as {@code floor} in every dimension
   * (memory, iterations, parallelism, salt and hash length).
   */
  public boolean atLeast(Argon2idParameters floor) {
    return memoryKiB >= floor.memoryKiB
        && iterations >= floor.iterations
        && parallelism >= floor.parallelism
        && saltLengthBytes >= floor.saltLengthBytes
        && hashLengthBytes >= floor.hashLengthBytes;
  }

  /**
   * True when these parameters meet the OWASP Password Storage Cheat Sheet: one of its Argon2id
   * rows (46 MiB/t=1, 19 MiB/t=2, 12 MiB/t=3, 9 MiB/t=4, 7 MiB/t=5) or more, with p >= 1.
   */
  public boolean meetsOwasp() {
    int[][] rows = {{47_104, 1}, {19_456, 2}, {12_288, 3}, {9_216, 4}, {7_168, 5}};
    for (int[] row : rows) {
      if (memoryKiB >= row[0] && iterations >= row[1]) {
        return saltLengthBytes >= 16 && hashLengthBytes >= 16;
      }
    }
    return false;
  }
}
