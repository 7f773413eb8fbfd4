package dev.bulwark.common;

import dev.bulwark.common.internal.ByteAccess;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable byte string for non-secret values: hashes, signatures, wrapped keys, key and
 * credential identifiers, ciphertexts. {@link #of} and {@link #toByteArray()} copy, so a value
 * handed out can never change what a record or a store holds.
 *
 * <p>Every Bulwark module uses this one type in its public signatures; no module exposes another
 * library's byte-string type.
 *
 * <p>Thread-safe (immutable). Equality is by content. Never put key material or other secrets in
 * a {@code Bytes}: {@link #toString()} prints a hex prefix.
 */
public final class Bytes {

  private static final Bytes EMPTY = new Bytes(new byte[0]);

  static {
    ByteAccess.install(new ByteAccess.Accessor() {
      @Override
      public Bytes wrap(byte[] value) {
        return value.length == 0 ? EMPTY : new Bytes(value);
      }

      @Override
      public byte[] array(Bytes bytes) {
        return bytes.value;
      }
    });
  }

  private final byte[] value;

  private Bytes(byte[] value) {
    this.value = value;
  }

  /**
   * A copy of {@code value}.
   *
   * @throws NullPointerException if {@code value} is null
   */
  public static Bytes of(byte[] value) {
    Objects.requireNonNull(value, "value");
    return value.length == 0 ? EMPTY : new Bytes(value.clone());
  }

  /** A copy of {@code length} bytes of {@code value} from {@code offset}. */
  public static Bytes of(byte[] value, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(value, "value").length);
    return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(value, offset, offset + length));
  }

  /** The same as {@link #of(byte[])}; kept for callers of crypto's former byte-string type. */
  public static Bytes copyOf(byte[] value) {
    return of(value);
  }

  /** The empty byte string. */
  public static Bytes empty() {
    return EMPTY;
  }

  /**
   * Decodes canonical standard base64: with the padding, no line breaks, and zero padding bits.
   * Any other spelling of the same bytes (a missing or extra {@code =}, stray bits in the last
   * character) is rejected, so one value has exactly one text form and an edited text never
   * decodes to the same bytes.
   *
   * @throws IllegalArgumentException if {@code base64} is not the canonical encoding of some bytes
   */
  public static Bytes fromBase64(String base64) {
    return canonical(base64, Base64.getDecoder(), Base64.getEncoder());
  }

  /**
   * Decodes canonical unpadded base64url (RFC 4648 §5), the spelling WebAuthn and JOSE use.
   *
   * @throws IllegalArgumentException if {@code base64url} is not the canonical encoding of some bytes
   */
  public static Bytes fromBase64Url(String base64url) {
    return canonical(base64url, Base64.getUrlDecoder(), Base64.getUrlEncoder().withoutPadding());
  }

  private static Bytes canonical(String text, Base64.Decoder decoder, Base64.Encoder encoder) {
    Objects.requireNonNull(text, "text");
    byte[] decoded;
    try {
      decoded = decoder.decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not valid base64", e);
    }
    if (!encoder.encodeToString(decoded).equals(text)) {
      throw new IllegalArgumentException("not canonical base64 (padding or stray padding bits)");
    }
    return decoded.length == 0 ? EMPTY : new Bytes(decoded);
  }

  /**
   * Decodes lower- or upper-case hex with an even number of digits.
   *
   * @throws IllegalArgumentException if {@code hex} is not hex
   */
  public static Bytes fromHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    byte[] decoded = HexFormat.of().parseHex(hex);
    return decoded.length == 0 ? EMPTY : new Bytes(decoded);
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return value.clone();
  }

  /** The number of bytes. */
  public int length() {
    return value.length;
  }

  public boolean isEmpty() {
    return value.length == 0;
  }

  /** The byte at {@code index}. */
  public byte get(int index) {
    return value[index];
  }

  /** Standard base64 with padding, the canonical form {@link #fromBase64} accepts. */
  public String base64() {
    return Base64.getEncoder().encodeToString(value);
  }

  /** Unpadded base64url, the canonical form {@link #fromBase64Url} accepts. */
  public String base64Url() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
  }

  /** Lower-case hex. */
  public String hex() {
    return HexFormat.of().formatHex(value);
  }

  /** Content equality in time independent of where the first difference lies. */
  public boolean equalsConstantTime(Bytes other) {
    return other != null && java.security.MessageDigest.isEqual(value, other.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes && Arrays.equals(value, ((Bytes) o).value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  /** Hex of the first 32 bytes and the length; never use a {@code Bytes} for secrets. */
  @Override
  public String toString() {
    return value.length <= 32 ? hex() : HexFormat.of().formatHex(value, 0, 32) + "...(" + value.length + " bytes)";
  }
}
