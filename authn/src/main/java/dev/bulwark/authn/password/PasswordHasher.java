package dev.bulwark.authn.password;

import dev.bulwark.authn.password.InvalidPasswordHashException.Reason;
import dev.bulwark.authn.password.internal.Argon2id;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hashes and verifies passwords with Argon2id (RFC 9106) in PHC string format.
 *
 * <pre>{@code
 * // Given: String password (at sign-up), String attempt (at login)
 * PasswordHasher hasher = PasswordHasher.builder().build();       // m=19 MiB, t=2, p=1
 * String stored = hasher.hash(password);                            // "$argon2id$v=19$m=19456,t=2,p=1$..."
 * boolean ok = hasher.verify(attempt, stored);
 * if (ok && hasher.needsRehash(stored)) {
 *   stored = hasher.hash(attempt);
 * }
 * }</pre>
 *
 * <p>Passwords are normalised to Unicode NFKC (NIST 800-63B §3.1.1.2) and encoded as UTF-8;
 * nothing else is changed: no trimming, no case folding, no truncation. Input longer than
 * {@link #MAX_PASSWORD_CHARS} characters is refused before any hashing work, so an attacker cannot
 * make the server hash megabytes. With a {@link Pepper}, Argon2id runs over
 * {@code HMAC-SHA-256(pepper, password)} and the pepper's key id is written into the PHC string.
 *
 * <p>Thread-safe and immutable; one instance serves the whole application. Building one costs a
 * single hash (the dummy used by {@link #verifyDummy}).
 *
 * <p>Security considerations: tag comparison is constant-time ({@code MessageDigest.isEqual}).
 * {@link #verifyDummy} does the same work as {@link #verify} against a hash of a random password,
 * so a login for an unknown account takes as long as one for a known account. Length rules and
 * the breached-password check are {@link PasswordPolicy}'s job, applied when a password is set;
 * the hasher applies only the hard input cap.
 */
public final class PasswordHasher {

  /** Hard cap on the password length (UTF-16 chars) accepted for hashing or verification. */
  public static final int MAX_PASSWORD_CHARS = 1024;

  private final Argon2idParameters parameters;
  private final Optional<Pepper> pepper;
  private final Map<String, Pepper> peppers;
  private final SecureRandom random;
  private final PasswordHash dummy;
  private final LongAdder computations = new LongAdder();

  private PasswordHasher(Builder b) {
    this.parameters = b.parameters;
    this.pepper = Optional.ofNullable(b.pepper);
    this.peppers = Map.copyOf(b.peppers);
    this.random = b.random;
    // Made up front so that the first unknown-account login costs no more than later ones.
    byte[] randomPassword = new byte[32];
    random.nextBytes(randomPassword);
    byte[] salt = new byte[parameters.saltLengthBytes()];
    random.nextBytes(salt);
    this.dummy = new PasswordHash(parameters, pepper.map(Pepper::keyId), salt,
        compute(randomPassword, salt, parameters, pepper));
    Arrays.fill(randomPassword, (byte) 0);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The parameters new hashes are made with. */
  public Argon2idParameters parameters() {
    return parameters;
  }

  /**
   * Hashes {@code password} with a fresh random salt and returns the PHC string.
   *
   * @throws IllegalArgumentException if the password is null, empty, longer than
   *     {@link #MAX_PASSWORD_CHARS} or not valid Unicode (a lone surrogate)
   */
  public String hash(CharSequence password) {
    byte[] input = encode(password);
    if (input == null) {
      throw new IllegalArgumentException(
          "password must be 1.." + MAX_PASSWORD_CHARS + " characters of valid Unicode");
    }
    byte[] salt = new byte[parameters.saltLengthBytes()];
    random.nextBytes(salt);
    byte[] tag = compute(input, salt, parameters, pepper);
    Arrays.fill(input, (byte) 0);
    return new PasswordHash(parameters, pepper.map(Pepper::keyId), salt, tag).format();
  }

  /**
   * How many Argon2id computations this hasher has run, including the one made when it was built.
   * For metrics, and for tests that show every path of a login costs the same work.
   */
  public long hashesComputed() {
    return computations.sum();
  }

  /**
   * True when {@code password} matches {@code storedHash}. A password that is null, empty, over
   * the cap or not valid Unicode never matches, and still costs one Argon2id computation at the
   * stored hash's parameters, like any other password: the time taken does not tell an attacker
   * which kind of input was refused.
   *
   * @throws InvalidPasswordHashException if {@code storedHash} is not a usable Argon2id PHC string
   *     or names a pepper this hasher does not hold
   */
  public boolean verify(CharSequence password, String storedHash) {
    return verify(password, PasswordHash.parse(storedHash));
  }

  /** As {@link #verify(CharSequence, String)} for an already parsed hash. */
  public boolean verify(CharSequence password, PasswordHash storedHash) {
    Objects.requireNonNull(storedHash, "storedHash");
    Optional<Pepper> keyedWith = storedHash.pepperKeyId().map(id -> {
      Pepper p = peppers.get(id);
      if (p == null) {
        throw new InvalidPasswordHashException(Reason.UNKNOWN_PEPPER_KEY,
            "password hash was keyed with pepper '" + id + "', which is not configured");
      }
      return p;
    });
    byte[] input = encode(password);
    boolean usable = input != null;
    byte[] tag = compute(usable ? input : new byte[1], storedHash.salt(), storedHash.parameters(), keyedWith);
    if (usable) {
      Arrays.fill(input, (byte) 0);
    }
    // Compare in every case, for equal work; an unusable password never matches.
    return storedHash.tagEquals(tag) & usable;
  }

  /**
   * Does the work of one {@link #verify} at the current parameters against a hash of a random
   * password, and returns false. Call it when the account does not exist, so that the response
   * time does not tell an attacker which accounts exist.
   */
  public boolean verifyDummy(CharSequence password) {
    PasswordHash d = dummy;
    byte[] input = encode(password);
    byte[] tag = compute(input == null ? new byte[1] : input, d.salt(), parameters, pepper);
    // Compare for equal work; the result is ignored because a random 32-byte password never matches.
    d.tagEquals(tag);
    return false;
  }

  /**
   * True when {@code storedHash} should be replaced by a fresh {@link #hash} at the next
   * successful login: its algorithm is not Argon2id v1.3, any cost parameter is below this
   * hasher's, or it was keyed with another pepper (or none, when a pepper is configured).
   *
   * @throws InvalidPasswordHashException if {@code storedHash} is malformed
   */
  public boolean needsRehash(String storedHash) {
    PasswordHash parsed;
    try {
      parsed = PasswordHash.parse(storedHash);
    } catch (InvalidPasswordHashException e) {
      if (e.reason() == Reason.MALFORMED) {
        throw e;
      }
      return true;
    }
    return !parsed.parameters().atLeast(parameters)
        || !parsed.pepperKeyId().equals(pepper.map(Pepper::keyId));
  }

  private byte[] compute(byte[] password, byte[] salt, Argon2idParameters p, Optional<Pepper> pepper) {
    computations.increment();
    byte[] input = pepper.isPresent() ? pepper.get().apply(password) : password;
    byte[] tag = Argon2id.compute(Argon2id.ARGON2ID, input, salt, null, null,
        p.memoryKiB(), p.iterations(), p.parallelism(), p.hashLengthBytes());
    if (input != password) {
      Arrays.fill(input, (byte) 0);
    }
    return tag;
  }

  /** NFKC + UTF-8, or null if the input must not be hashed. */
  static byte[] encode(CharSequence password) {
    if (password == null || password.length() == 0 || password.length() > MAX_PASSWORD_CHARS) {
      return null;
    }
    String normalized = Normalizer.normalize(password, Normalizer.Form.NFKC);
    try {
      ByteBuffer buf = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(normalized));
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      if (buf.hasArray()) {
        Arrays.fill(buf.array(), (byte) 0);
      }
      return out;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "PasswordHasher[" + parameters + ", pepper=" + pepper.map(Pepper::keyId).orElse("none") + "]";
  }

  /** Configures a {@link PasswordHasher}. Not thread-safe. */
  public static final class Builder {

    private Argon2idParameters parameters = Argon2idParameters.OWASP;
    private Pepper pepper;
    private final Map<String, Pepper> peppers = new LinkedHashMap<>();
    private SecureRandom random = new SecureRandom();

    private Builder() {}

    /**
     * Cost parameters for new hashes; they must meet the OWASP floor
     * ({@link Argon2idParameters#meetsOwasp()}). Default {@link Argon2idParameters#OWASP}.
     */
    public Builder parameters(Argon2idParameters parameters) {
      Objects.requireNonNull(parameters, "parameters");
      if (!parameters.meetsOwasp()) {
        throw new IllegalArgumentException(
            "Argon2id parameters " + parameters + " are below the OWASP floor (m=19 MiB, t=2, p=1 or an equivalent row)");
      }
      this.parameters = parameters;
      return this;
    }

    /** Any parameters, even below the OWASP floor. For fast tests only; never in production. */
    public Builder insecureParametersForTesting(Argon2idParameters parameters) {
      this.parameters = Objects.requireNonNull(parameters, "parameters");
      return this;
    }

    /** The pepper new hashes are keyed with; it is also used to verify hashes carrying its key id. */
    public Builder pepper(Pepper current) {
      this.pepper = Objects.requireNonNull(current, "pepper");
      return addPepper(current);
    }

    /** An older pepper kept for verifying hashes made before a rotation. */
    public Builder previousPepper(Pepper old) {
      return addPepper(Objects.requireNonNull(old, "pepper"));
    }

    private Builder addPepper(Pepper p) {
      Pepper existing = peppers.putIfAbsent(p.keyId(), p);
      if (existing != null && existing != p) {
        throw new IllegalArgumentException("two peppers with key id '" + p.keyId() + "'");
      }
      return this;
    }

    /** The source of salts. Default: a new {@link SecureRandom}. */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    public PasswordHasher build() {
      return new PasswordHasher(this);
    }
  }
}
