package dev.bulwark.spring.sso.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals a list of strings into a cookie value with AES-256-GCM (confidential and authenticated;
 * the cookie's name is bound as associated data, so a value cannot move to another cookie), and
 * opens it again. Anything altered, truncated, sealed under another key or for another cookie
 * opens to empty. Thread-safe.
 */
public final class SealedCookie {

  private static final byte VERSION = 1;
  private static final int NONCE = 12;
  private static final int MAX_VALUE = 3800;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;

  public SealedCookie(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("the cookie key must be 32 bytes");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** The sealed value (URL-safe Base64, no padding). */
  public String seal(String cookieName, List<String> fields) {
    Objects.requireNonNull(cookieName, "cookieName");
    try {
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(plain);
      out.writeByte(fields.size());
      for (String f : fields) {
        byte[] b = f.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
      }
      byte[] nonce = new byte[NONCE];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(aad(cookieName));
      byte[] sealed = c.doFinal(plain.toByteArray());
      byte[] all = new byte[1 + NONCE + sealed.length];
      all[0] = VERSION;
      System.arraycopy(nonce, 0, all, 1, NONCE);
      System.arraycopy(sealed, 0, all, 1 + NONCE, sealed.length);
      String value = Base64.getUrlEncoder().withoutPadding().encodeToString(all);
      if (value.length() > MAX_VALUE) {
        throw new IllegalArgumentException("sealed cookie would exceed " + MAX_VALUE + " characters");
      }
      return value;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cookie could not be sealed", e);
    }
  }

  /** The fields, or empty when the value is not one this key sealed for {@code cookieName}. */
  public Optional<List<String>> open(String cookieName, String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_VALUE) {
      return Optional.empty();
    }
    try {
      byte[] all = Base64.getUrlDecoder().decode(value);
      if (all.length < 1 + NONCE + 16 || all[0] != VERSION) {
        return Optional.empty();
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 1, NONCE));
      c.updateAAD(aad(cookieName));
      byte[] plain = c.doFinal(all, 1 + NONCE, all.length - 1 - NONCE);
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain));
      int n = in.readUnsignedByte();
      List<String> fields = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        byte[] b = new byte[in.readUnsignedShort()];
        in.readFully(b);
        fields.add(new String(b, StandardCharsets.UTF_8));
      }
      if (in.available() != 0) {
        return Optional.empty();
      }
      return Optional.of(List.copyOf(fields));
    } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  private static byte[] aad(String cookieName) {
    return ("bulwark-sso-cookie:" + cookieName).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SealedCookie[key redacted]";
  }
}
