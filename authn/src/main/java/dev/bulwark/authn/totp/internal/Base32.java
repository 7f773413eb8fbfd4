package dev.bulwark.authn.totp.internal;

/**
 * RFC 4648 Base32 (alphabet {@code A-Z2-7}) without padding, as otpauth URIs carry TOTP secrets.
 * Decoding accepts lower case, rejects padding, whitespace and non-zero trailing bits.
 */
public final class Base32 {

  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private Base32() {}

  public static String encode(byte[] data) {
    StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    }
    return sb.toString();
  }

  /**
   * Decodes unpadded Base32.
   *
   * @throws IllegalArgumentException naming the problem (never echoing the input)
   */
  public static byte[] decode(CharSequence text) {
    int len = text.length();
    int rem = len % 8;
    if (rem == 1 || rem == 3 || rem == 6) {
      throw new IllegalArgumentException("Base32 text has an impossible length");
    }
    byte[] out = new byte[len * 5 / 8];
    int buffer = 0;
    int bits = 0;
    int pos = 0;
    for (int i = 0; i < len; i++) {
      char c = text.charAt(i);
      int v;
      if (c >= 'A' && c <= 'Z') {
        v = c - 'A';
      } else if (c >= 'a' && c <= 'z') {
        v = c - 'a';
      } else if (c >= '2' && c <= '7') {
        v = c - '2' + 26;
      } else {
        throw new IllegalArgumentException("Base32 text contains a character outside A-Z2-7");
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out[pos++] = (byte) (buffer >>> (bits - 8));
        bits -= 8;
      }
    }
    if ((buffer & ((1 << bits) - 1)) != 0) {
      throw new IllegalArgumentException("Base32 text has non-zero trailing bits");
    }
    return out;
  }
}
