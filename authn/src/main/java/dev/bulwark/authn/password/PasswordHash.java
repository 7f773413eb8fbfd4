package dev.bulwark.authn.password;

import dev.bulwark.authn.password.InvalidPasswordHashException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed Argon2id PHC string:
 * {@code $argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>[,keyid=<B64>]$<B64 salt>$<B64 hash>}.
 *
 * <p>B64 is standard Base64 without padding, as the PHC string format specifies. {@code keyid}
 * carries the id of the pepper the password was keyed with (see {@link Pepper}); it is absent for
 * unpeppered hashes. Parsing is strict: every deviation throws
 * {@link InvalidPasswordHashException}, and a value re-formats to exactly the string it was
 * parsed from.
 *
 * <p>Immutable and thread-safe. Salt and hash are copied in and out. The salt and hash are not
 * secret on their own, but {@link #toString} omits them anyway so that hashes do not end up in logs.
 */
public final class PasswordHash {

  private static final Pattern B64 = Pattern.compile("[A-Za-z0-9+/]+");
  private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,17}");
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,8}");
  /** Longest string worth parsing: keeps a hostile row from costing more than a few microseconds. */
  private static final int MAX_LENGTH = 512;

  private final Argon2idParameters parameters;
  private final Optional<String> pepperKeyId;
  private final byte[] salt;
  private final byte[] hash;

  /**
   * @throws IllegalArgumentException if the salt or hash length does not match {@code parameters},
   *     or the key id is not 1-8 characters of {@code [A-Za-z0-9._-]}
   */
  public PasswordHash(Argon2idParameters parameters, Optional<String> pepperKeyId, byte[] salt, byte[] hash) {
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    this.pepperKeyId = Objects.requireNonNull(pepperKeyId, "pepperKeyId");
    pepperKeyId.ifPresent(PasswordHash::checkKeyId);
    this.salt = Objects.requireNonNull(salt, "salt").clone();
    this.hash = Objects.requireNonNull(hash, "hash").clone();
    if (salt.length != parameters.saltLengthBytes() || hash.length != parameters.hashLengthBytes()) {
      throw new IllegalArgumentException("salt and hash lengths must match the parameters");
    }
  }

  static void checkKeyId(String keyId) {
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("pepper key id must be 1-8 characters of [A-Za-z0-9._-]");
    }
  }

  /**
   * Parses a PHC string.
   *
   * @throws InvalidPasswordHashException with {@link Reason#MALFORMED} for a string of the wrong
   *     shape, {@link Reason#UNSUPPORTED_ALGORITHM} for another algorithm or version, and
   *     {@link Reason#PARAMETERS_OUT_OF_RANGE} for costs outside {@link Argon2idParameters}' bounds
   */
  public static PasswordHash parse(String phc) {
    if (phc == null || phc.isEmpty()) {
      throw malformed("password hash is null or empty");
    }
    if (phc.length() > MAX_LENGTH) {
      throw malformed("password hash is longer than " + MAX_LENGTH + " characters");
    }
    if (phc.charAt(0) != '$') {
      throw malformed("password hash does not start with '$'");
    }
    String[] parts = phc.substring(1).split("\\$", -1);
    if (parts.length == 0 || parts[0].isEmpty()) {
      throw malformed("password hash has no algorithm id");
    }
    if (!parts[0].equals("argon2id")) {
      if (parts[0].matches("[a-z0-9-]{1,32}")) {
        throw new InvalidPasswordHashException(Reason.UNSUPPORTED_ALGORITHM,
            "unsupported password hash algorithm '" + parts[0] + "' (only argon2id is supported)");
      }
      throw malformed("password hash has an invalid algorithm id");
    }
    if (parts.length != 5) {
      throw malformed("argon2id hash must have 5 '$'-separated fields, had " + parts.length);
    }
    if (!parts[1].startsWith("v=")) {
      throw malformed("argon2id hash has no version field");
    }
    if (!parts[1].equals("v=19")) {
      throw new InvalidPasswordHashException(Reason.UNSUPPORTED_ALGORITHM,
          "unsupported Argon2 version (only v=19, Argon2 1.3, is supported)");
    }
    String[] params = parts[2].split(",", -1);
    if (params.length != 3 && params.length != 4) {
      throw malformed("argon2id parameters must be m=..,t=..,p=..[,keyid=..]");
    }
    int m = number(params[0], "m=");
    int t = number(params[1], "t=");
    int p = number(params[2], "p=");
    Optional<String> keyId = Optional.empty();
    if (params.length == 4) {
      if (!params[3].startsWith("keyid=")) {
        throw malformed("fourth argon2id parameter must be keyid");
      }
      byte[] raw = b64(params[3].substring(6), "keyid");
      String id = new String(raw, StandardCharsets.US_ASCII);
      if (!KEY_ID.matcher(id).matches()) {
        throw malformed("keyid is not a valid pepper key id");
      }
      keyId = Optional.of(id);
    }
    byte[] salt = b64(parts[3], "salt");
    byte[] hash = b64(parts[4], "hash");
    Argon2idParameters parameters;
    try {
      parameters = new Argon2idParameters(m, t, p, salt.length, hash.length);
    } catch (IllegalArgumentException e) {
      throw new InvalidPasswordHashException(Reason.PARAMETERS_OUT_OF_RANGE,
          "argon2id parameters out of range: " + e.getMessage());
    }
    return new PasswordHash(parameters, keyId, salt, hash);
  }

  private static int number(String field, String prefix) {
    if (!field.startsWith(prefix) || !NUMBER.matcher(field.substring(prefix.length())).matches()) {
      throw malformed("argon2id parameter '" + prefix.charAt(0) + "' is missing or not a positive decimal");
    }
    long value = Long.parseLong(field.substring(prefix.length()));
    if (value > Integer.MAX_VALUE) {
      throw new InvalidPasswordHashException(Reason.PARAMETERS_OUT_OF_RANGE,
          "argon2id parameter '" + prefix.charAt(0) + "' is too large");
    }
    return (int) value;
  }

  private static byte[] b64(String text, String what) {
    if (!B64.matcher(text).matches()) {
      throw malformed("argon2id " + what + " is not unpadded Base64");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw malformed("argon2id " + what + " is not valid Base64");
    }
    // Reject non-canonical encodings (stray low bits), so parse/format is a bijection.
    if (!Base64.getEncoder().withoutPadding().encodeToString(decoded).equals(text)) {
      throw malformed("argon2id " + what + " is not canonical Base64");
    }
    return decoded;
  }

  private static InvalidPasswordHashException malformed(String message) {
    return new InvalidPasswordHashException(Reason.MALFORMED, message);
  }

  /** The PHC string. */
  public String format() {
    Base64.Encoder enc = Base64.getEncoder().withoutPadding();
    StringBuilder sb = new StringBuilder(128)
        .append("$argon2id$v=19$m=").append(parameters.memoryKiB())
        .append(",t=").append(parameters.iterations())
        .append(",p=").append(parameters.parallelism());
    pepperKeyId.ifPresent(id -> sb.append(",keyid=").append(enc.encodeToString(id.getBytes(StandardCharsets.US_ASCII))));
    return sb.append('$').append(enc.encodeToString(salt)).append('$').append(enc.encodeToString(hash)).toString();
  }

  public Argon2idParameters parameters() {
    return parameters;
  }

  /** The id of the pepper this hash was keyed with, if any. */
  public Optional<String> pepperKeyId() {
    return pepperKeyId;
  }

  /** A copy of the salt. */
  public byte[] salt() {
    return salt.clone();
  }

  /** A copy of the Argon2id tag. */
  public byte[] hash() {
    return hash.clone();
  }

  /** Compares the tag with {@code candidate} in constant time. */
  boolean tagEquals(byte[] candidate) {
    return java.security.MessageDigest.isEqual(hash, candidate);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PasswordHash other
        && parameters.equals(other.parameters)
        && pepperKeyId.equals(other.pepperKeyId)
        && Arrays.equals(salt, other.salt)
        && Arrays.equals(hash, other.hash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(parameters, pepperKeyId, Arrays.hashCode(salt));
  }

  @Override
  public String toString() {
    return "PasswordHash[argon2id, " + parameters + ", pepper=" + pepperKeyId.orElse("none") + "]";
  }
}
