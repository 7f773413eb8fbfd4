package dev.bulwark.authn.totp;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.internal.EventDelivery;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * TOTP for accounts: enrolment (new secret, otpauth URI, QR code, confirmation with a first code),
 * verification with replay rejection, and removal. Seeds are stored through the host's
 * {@link TotpCredentialStore}, encrypted by its {@link SeedProtector}.
 *
 * <pre>{@code
 * import dev.bulwark.authn.SecurityEventListener;
 * import dev.bulwark.authn.totp.spi.*;
 * import java.time.InstantSource;
 *
 * // Given: TotpCredentialStore credentialStore, InstantSource clock, SeedProtector protector
 * // Given: SecurityEventListener auditListener, String codeTypedByUser, String code
 * TotpAuthenticator totp = TotpAuthenticator.builder(credentialStore, UsedTotpStepStore.inMemory(clock))
 *     .seedProtector(protector).listener(auditListener).build();
 * TotpEnrollment e = totp.beginEnrollment("u-42", "Example", "alice@example.com");
 * byte[] png = e.qrCodePng(256);                  // show it once
 * boolean ok = totp.confirmEnrollment(e, codeTypedByUser);
 * TotpVerification v = totp.verify("u-42", code);  // later, at login
 * }</pre>
 *
 * <p>Events: {@code authn_mfa_enrolled}, {@code authn_mfa_removed}, and {@code authn_token_reuse}
 * when a code is replayed. Thread-safe.
 */
public final class TotpAuthenticator {

  private final TotpCredentialStore credentials;
  private final UsedTotpStepStore usedSteps;
  private final SeedProtector protector;
  private final TotpSettings settings;
  private final InstantSource clock;
  private final SecurityEventListener listener;
  private final SecureRandom random;

  private TotpAuthenticator(Builder b) {
    this.credentials = b.credentials;
    this.usedSteps = b.usedSteps;
    this.protector = b.protector;
    this.settings = b.settings;
    this.clock = b.clock;
    this.listener = b.listener;
    this.random = b.random;
  }

  public static Builder builder(TotpCredentialStore credentials, UsedTotpStepStore usedSteps) {
    return new Builder(credentials, usedSteps);
  }

  /** The settings new enrolments use. */
  public TotpSettings settings() {
    return settings;
  }

  /**
   * Starts an enrolment with a fresh secret. Nothing is stored until
   * {@link #confirmEnrollment}.
   *
   * @param issuer the service name the app shows
   * @param accountName the user-facing account name the app shows
   */
  public TotpEnrollment beginEnrollment(String accountId, String issuer, String accountName) {
    requireId(accountId, "accountId");
    byte[] id = new byte[16];
    random.nextBytes(id);
    TotpSecret secret = TotpSecret.generate(settings.algorithm(), random);
    return new TotpEnrollment(accountId, "totp-" + HexFormat.of().formatHex(id),
        new OtpAuthUri(issuer, accountName, secret, settings));
  }

  /**
   * Completes an enrolment if {@code code} is valid for its secret now; stores the credential
   * (replacing any earlier one) and emits {@code authn_mfa_enrolled}. The code's step is marked
   * used, so the same code cannot then log in.
   *
   * @return true if stored; false if the code was wrong, malformed or replayed
   * @throws GeneralSecurityException if the seed protector fails
   */
  public boolean confirmEnrollment(TotpEnrollment enrollment, String code) throws GeneralSecurityException {
    Objects.requireNonNull(enrollment, "enrollment");
    TotpSettings s = enrollment.uri().settings();
    TotpVerification v = new TotpVerifier(s, usedSteps, clock)
        .verify(enrollment.credentialId(), enrollment.uri().secret(), code);
    if (!v.accepted()) {
      return false;
    }
    byte[] seed = enrollment.uri().secret().copyBytes();
    byte[] box;
    try {
      box = protector.protect(seed, enrollment.credentialId());
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
    Optional<TotpCredential> previous = credentials.find(enrollment.accountId());
    credentials.save(new TotpCredential(enrollment.accountId(), enrollment.credentialId(), box, s, clock.instant()));
    previous.ifPresent(p -> usedSteps.forget(p.credentialId()));
    emit(SecurityEventType.MFA_ENROLLED, enrollment.accountId(), Map.of("factor", "totp"));
    return true;
  }

  /** True when the account has a TOTP credential. */
  public boolean isEnrolled(String accountId) {
    requireId(accountId, "accountId");
    return credentials.find(accountId).isPresent();
  }

  /**
   * Checks a code for the account. An account without a credential gets
   * {@link TotpVerification.Outcome#REJECTED}, as for a wrong code. A replay emits
   * {@code authn_token_reuse}.
   *
   * @throws GeneralSecurityException if the stored seed cannot be decrypted
   */
  public TotpVerification verify(String accountId, String code) throws GeneralSecurityException {
    requireId(accountId, "accountId");
    Optional<TotpCredential> credential = credentials.find(accountId);
    if (credential.isEmpty()) {
      return TotpVerification.of(TotpVerification.Outcome.REJECTED);
    }
    TotpCredential c = credential.get();
    byte[] seed = protector.unprotect(c.protectedSeed(), c.credentialId());
    TotpSecret secret;
    try {
      secret = TotpSecret.ofBytes(seed);
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("stored TOTP seed has an invalid length after unprotect");
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
    TotpSettings s = c.settings().withWindow(settings.window());
    TotpVerification v = new TotpVerifier(s, usedSteps, clock).verify(c.credentialId(), secret, code);
    if (v.outcome() == TotpVerification.Outcome.REPLAYED) {
      emit(SecurityEventType.TOKEN_REUSE, accountId, Map.of("factor", "totp", "step", Long.toString(v.step())));
    }
    return v;
  }

  /** Removes the account's TOTP credential and emits {@code authn_mfa_removed}; true if there was one. */
  public boolean remove(String accountId) {
    requireId(accountId, "accountId");
    Optional<TotpCredential> c = credentials.find(accountId);
    boolean removed = credentials.delete(accountId);
    if (removed) {
      c.ifPresent(x -> usedSteps.forget(x.credentialId()));
      emit(SecurityEventType.MFA_REMOVED, accountId, Map.of("factor", "totp"));
    }
    return removed;
  }

  private void emit(String type, String accountId, Map<String, String> details) {
    EventDelivery.deliver(listener, new SecurityEvent(type, Optional.of(accountId), clock.instant(), Optional.empty(), details));
  }

  private static void requireId(String id, String name) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be null or empty");
    }
  }

  /** Configures a {@link TotpAuthenticator}. */
  public static final class Builder {
    private final TotpCredentialStore credentials;
    private final UsedTotpStepStore usedSteps;
    private SeedProtector protector = SeedProtector.PLAINTEXT;
    private TotpSettings settings = TotpSettings.DEFAULT;
    private InstantSource clock = Clock.systemUTC();
    private SecurityEventListener listener = SecurityEventListener.NONE;
    private SecureRandom random = new SecureRandom();

    private Builder(TotpCredentialStore credentials, UsedTotpStepStore usedSteps) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      this.usedSteps = Objects.requireNonNull(usedSteps, "usedSteps");
    }

    /** Encrypts seeds at rest. Default {@link SeedProtector#PLAINTEXT}. */
    public Builder seedProtector(SeedProtector protector) {
      this.protector = Objects.requireNonNull(protector, "protector");
      return this;
    }

    /** Settings for new enrolments; the window also applies to existing credentials. */
    public Builder settings(TotpSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
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

    public TotpAuthenticator build() {
      return new TotpAuthenticator(this);
    }
  }
}
