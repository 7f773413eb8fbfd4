package dev.bulwark.audit;

import dev.bulwark.audit.internal.Hashes;
import dev.bulwark.common.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A public Ed25519 key that verifies checkpoint signatures, named as in C2SP signed-note. The
 * key ID is {@code SHA-256(name || 0x0A || 0x01 || publicKey)[:4]}; the text form
 * ({@link #vkey()}) is the signed-note verifier key {@code <name>+<hex keyid>+<base64(0x01 || key)>},
 * which is all a third party needs to check a checkpoint or a proof bundle.
 *
 * @param name key name (no spaces, no '+'); by convention the log's origin
 * @param publicKey raw 32-byte Ed25519 public key
 */
public record CheckpointKey(String name, Bytes publicKey) {

  static final int TYPE_ED25519 = 0x01;
  static final int ED25519_SIGNATURE_BYTES = 64;
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  public CheckpointKey {
    checkName(name);
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey.length() != 32) {
      throw new IllegalArgumentException("Ed25519 public keys are 32 bytes");
    }
  }

  /**
   * C2SP signed-note key names: non-empty, well-formed UTF-8, no Unicode spaces, no '+'. Bulwark
   * also refuses control and format characters and names over 256 characters.
   */
  static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > 256 || name.contains("+")
        || name.codePoints().anyMatch(CheckpointKey::badNameCodePoint)) {
      throw new IllegalArgumentException("key names are non-empty, without Unicode spaces, '+', control or"
          + " format characters, and well-formed");
    }
  }

  private static boolean badNameCodePoint(int c) {
    return c <= 0x20 || Character.isSpaceChar(c) || Character.isWhitespace(c) || Character.isISOControl(c)
        || Character.getType(c) == Character.FORMAT || (c >= 0xd800 && c <= 0xdfff) // a lone surrogate
        || c == 0x180e; // MONGOLIAN VOWEL SEPARATOR: a space in older Unicode versions
  }

  /** The 4-byte key ID as an unsigned int. */
  public int keyId() {
    return keyId(name, publicKey.toByteArray());
  }

  static int keyId(String name, byte[] publicKey) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(name.getBytes(StandardCharsets.UTF_8));
    b.write(0x0a);
    b.write(TYPE_ED25519);
    b.writeBytes(publicKey);
    byte[] h = Hashes.sha256(b.toByteArray());
    return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
  }

  /** The signed-note verifier key text. */
  public String vkey() {
    byte[] typed = new byte[33];
    typed[0] = TYPE_ED25519;
    System.arraycopy(publicKey.toByteArray(), 0, typed, 1, 32);
    return name + "+" + String.format(Locale.ROOT, "%08x", keyId()) + "+" + Bytes.of(typed).base64();
  }

  /**
   * Parses a verifier key.
   *
   * @throws AuditFormatException if it is not a well-formed Ed25519 signed-note verifier key
   */
  public static CheckpointKey parse(String vkey) throws AuditFormatException {
    String[] parts = vkey.trim().split("\\+", 3);
    if (parts.length != 3) {
      throw new AuditFormatException("verifier key is <name>+<keyid>+<key>");
    }
    try {
      Bytes typed = Bytes.fromBase64(parts[2]);
      if (typed.length() != 33 || typed.get(0) != TYPE_ED25519) {
        throw new AuditFormatException("verifier key is not an Ed25519 key");
      }
      byte[] raw = new byte[32];
      System.arraycopy(typed.toByteArray(), 1, raw, 0, 32);
      CheckpointKey key = new CheckpointKey(parts[0], Bytes.of(raw));
      if (!String.format(Locale.ROOT, "%08x", key.keyId()).equals(parts[1])) {
        throw new AuditFormatException("verifier key id does not match its name and key");
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw new AuditFormatException("malformed verifier key: " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code signature} is a valid Ed25519 signature of {@code message} by this key. An
   * Ed25519 signature is exactly 64 bytes: anything longer or shorter is rejected before the JDK
   * sees it (its verifier ignores trailing bytes after S).
   */
  public boolean verify(byte[] message, byte[] signature) {
    if (signature == null || signature.length != ED25519_SIGNATURE_BYTES) {
      return false;
    }
    try {
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(toPublicKey());
      v.update(message);
      return v.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  PublicKey toPublicKey() throws GeneralSecurityException {
    byte[] spki = new byte[X509_PREFIX.length + 32];
    System.arraycopy(X509_PREFIX, 0, spki, 0, X509_PREFIX.length);
    System.arraycopy(publicKey.toByteArray(), 0, spki, X509_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  static byte[] rawPublicKey(PublicKey key) {
    byte[] enc = key.getEncoded();
    byte[] raw = new byte[32];
    System.arraycopy(enc, enc.length - 32, raw, 0, 32);
    return raw;
  }
}
