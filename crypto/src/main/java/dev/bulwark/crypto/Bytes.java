package dev.bulwark.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string for non-secret values (wrapped keys, key references, ciphertexts):
 * the constructor and {@link #toByteArray()} copy, so a holder can never change it.
 *
 * <p>Thread-safe. Equality is by content. Never put key material in a {@code Bytes}: its
 * {@code toString} prints a hex prefix.
 */
public final class Bytes {
  private final byte[] value;

  private Bytes(byte[] value) {
    this.value = value;
  }

  /** Returns a copy of {@code value}. */
  public static Bytes copyOf(byte[] value) {
    if (value == null) {
      throw new IllegalArgumentException("value must not be null");
    }
    return new Bytes(value.clone());
  }

  /** Returns a copy of the bytes. */
  public byte[] toByteArray() {
    return value.clone();
  }

  /** The number of bytes. */
  public int length() {
    return value.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes && Arrays.equals(value, ((Bytes) o).value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    String hex = HexFormat.of().formatHex(value, 0, Math.min(8, value.length));
    return "Bytes[" + value.length + ": " + hex + (value.length > 8 ? "…" : "") + "]";
  }
}
