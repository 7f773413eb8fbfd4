package dev.bulwark.authn.recovery;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.internal.EventDelivery;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.recovery.spi.RecoveryCodeStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Single-use recovery codes (NIST 800-63B rev. 4 "saved lookup secrets", ASVS 6.5.1/6.5.2).
 *
 * <ul>
 *   <li>Each code is 16 Base32 characters, 80 bits from {@link SecureRandom} (NIST asks for at
 *       least 64), shown as {@code xxxx-xxxx-xxxx-xxxx}. Input is accepted with or without
 *       dashes and spaces, in either case.
 *   <li>Stored only as {@code rc1$<salt>$<HMAC-SHA-256(salt, code)>} with a 16-byte random salt
 *       per code. A fast hash is enough here: 80 random bits cannot be brute-forced offline the
 *       way a human-chosen password can.
 *   <li>Usable once each, in any order: redemption removes the hash atomically in the store, so
 *       two concurrent requests with the same code cannot both succeed.
 *   <li>{@link #regenerate} replaces the whole set: every old code stops working.
 * </ul>
 *
 * <p>Events: {@code authn_recovery_codes_regenerated}, {@code authn_recovery_code_used} (with the
 * number of codes left). Thread-safe.
 */
public final class RecoveryCodes {

  /** Default number of codes per set. */
  public static final int DEFAULT_COUNT = 10;

  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final int CODE_CHARS = 16;
  private static final String PREFIX = "rc1$";

  private final RecoveryCodeStore store;
  private final int count;
  private final InstantSource clock;
  private final SecurityEventListener listener;
  private final SecureRandom random;

  private RecoveryCodes(Builder b) {
    this.store = b.store;
    this.count = b.count;
    this.clock = b.clock;
    this.listener = b.listener;
    this.random = b.random;
  }

  public static Builder builder(RecoveryCodeStore store) {
    return new Builder(store);
  }

  /** Generates a new set, stores its hashes in place of any old set, and returns the codes (show them once). */
  public GeneratedRecoveryCodes regenerate(String accountId) {
    requireId(accountId);
    List<String> codes = new ArrayList<>(count);
    List<String> hashes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      char[] c = new char[CODE_CHARS];
      for (int j = 0; j < CODE_CHARS; j++) {
        c[j] = ALPHABET[random.nextInt(32)];
      }
      String raw = new String(c);
      codes.add(raw.substring(0, 4) + "-" + raw.substring(4, 8) + "-" + raw.substring(8, 12) + "-" + raw.substring(12));
      byte[] salt = new byte[16];
      random.nextBytes(salt);
      hashes.add(hash(salt, raw));
    }
    store.replaceAll(accountId, hashes);
    emit(SecurityEventType.RECOVERY_CODES_REGENERATED, accountId, Map.of("count", Integer.toString(count)));
    return new GeneratedRecoveryCodes(codes);
  }

  /**
   * Redeems {@code code}: true exactly once per generated code. A malformed code, a wrong one, a
   * used one and an account without codes all give false.
   */
  public boolean redeem(String accountId, String code) {
    requireId(accountId);
    String normalized = normalize(code);
    List<String> stored = store.hashes(accountId);
    String matched = null;
    // Compare against every stored hash so the time does not depend on the matching position.
    for (String h : stored) {
      boolean equal = normalized != null && matches(h, normalized);
      if (equal && matched == null) {
        matched = h;
      }
    }
    if (matched == null || !store.consume(accountId, matched)) {
      return false;
    }
    emit(SecurityEventType.RECOVERY_CODE_USED, accountId, Map.of("remaining", Integer.toString(stored.size() - 1)));
    return true;
  }

  /** How many unused codes the account has. */
  public int remaining(String accountId) {
    requireId(accountId);
    return store.hashes(accountId).size();
  }

  /** Lower case, no dashes or spaces, exactly 16 Base32 characters; null if not that shape. */
  static String normalize(String code) {
    if (code == null || code.length() > 64) {
      return null;
    }
    StringBuilder sb = new StringBuilder(CODE_CHARS);
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '-' || c == ' ') {
        continue;
      }
      char l = Character.toLowerCase(c);
      if (!((l >= 'a' && l <= 'z') || (l >= '2' && l <= '7'))) {
        return null;
      }
      sb.append(l);
    }
    return sb.length() == CODE_CHARS ? sb.toString().toLowerCase(Locale.ROOT) : null;
  }

  private static boolean matches(String storedHash, String normalized) {
    String[] parts = storedHash.split("\\$", -1);
    if (parts.length != 3 || !storedHash.startsWith(PREFIX)) {
      return false;
    }
    try {
      byte[] salt = Base64.getDecoder().decode(parts[1]);
      byte[] expected = Base64.getDecoder().decode(parts[2]);
      return MessageDigest.isEqual(expected, mac(salt, normalized));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String hash(byte[] salt, String normalized) {
    Base64.Encoder enc = Base64.getEncoder().withoutPadding();
    return PREFIX + enc.encodeToString(salt) + "$" + enc.encodeToString(mac(salt, normalized));
  }

  private static byte[] mac(byte[] salt, String normalized) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(salt, "HmacSHA256"));
      return mac.doFinal(normalized.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private void emit(String type, String accountId, Map<String, String> details) {
    EventDelivery.deliver(listener, new SecurityEvent(type, Optional.of(accountId), clock.instant(), Optional.empty(), details));
  }

  private static void requireId(String accountId) {
    if (accountId == null || accountId.isEmpty()) {
      throw new IllegalArgumentException("accountId must not be null or empty");
    }
  }

  /** Configures {@link RecoveryCodes}. */
  public static final class Builder {
    private final RecoveryCodeStore store;
    private int count = DEFAULT_COUNT;
    private InstantSource clock = Clock.systemUTC();
    private SecurityEventListener listener = SecurityEventListener.NONE;
    private SecureRandom random = new SecureRandom();

    private Builder(RecoveryCodeStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** Codes per set, 1..32. Default 10. */
    public Builder count(int count) {
      if (count < 1 || count > 32) {
        throw new IllegalArgumentException("count must be in 1..32");
      }
      this.count = count;
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder listener(SecurityEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    public RecoveryCodes build() {
      return new RecoveryCodes(this);
    }
  }
}
