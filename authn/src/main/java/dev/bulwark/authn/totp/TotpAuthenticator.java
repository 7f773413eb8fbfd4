package dev.bulwark.authn.totp;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.internal.EventDelivery;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.totp.jdbc.JdbcPendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.jdbc.JdbcTotpCredentialStore;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * <p>With a {@link PendingTotpEnrollmentStore} ({@link Builder#pendingEnrollments}) the enrolment
 * waits in that store instead of the caller's memory, its seed protected like a credential's, so
 * any node can confirm it: {@link #beginPendingEnrollment}, {@link #pendingEnrollment} (to show
 * the QR code again), {@link #confirmPendingEnrollment}, {@link #cancelPendingEnrollment}.
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
  private final PendingTotpEnrollmentStore pending;
  private final Duration enrollmentTimeout;
  private final int maxConfirmationAttempts;

  private TotpAuthenticator(Builder b) {
    this.credentials = b.credentials;
    this.usedSteps = b.usedSteps;
    this.protector = b.protector;
    this.settings = b.settings;
    this.clock = b.clock;
    this.listener = b.listener;
    this.random = b.random;
    this.pending = b.pending;
    this.enrollmentTimeout = b.enrollmentTimeout;
    this.maxConfirmationAttempts = b.maxConfirmationAttempts;
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

  /**
   * Starts an enrolment with a fresh secret, as {@link #beginEnrollment} does, and keeps it in the
   * pending-enrolment store (seed protected under the new credential id, replacing any enrolment
   * the account had pending) until {@link #confirmPendingEnrollment} or the enrolment timeout.
   * Show the returned enrolment's QR code; nothing of it needs to be kept by the caller.
   *
   * @throws IllegalStateException if the authenticator has no pending-enrolment store
   * @throws GeneralSecurityException if the seed protector fails (nothing is stored)
   */
  public TotpEnrollment beginPendingEnrollment(String accountId, String issuer, String accountName)
      throws GeneralSecurityException {
    PendingTotpEnrollmentStore store = pendingStore();
    TotpEnrollment e = beginEnrollment(accountId, issuer, accountName);
    byte[] seed = e.uri().secret().copyBytes();
    byte[] box;
    try {
      box = protector.protect(seed, e.credentialId());
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
    Instant now = clock.instant();
    store.save(new PendingTotpEnrollment(accountId, e.credentialId(), box, e.uri().settings(), e.uri().issuer(),
        e.uri().accountName(), now, now.plus(enrollmentTimeout), 0));
    return e;
  }

  /**
   * The account's pending enrolment, live now, with its secret decrypted, to show the QR code
   * again (a reload of the enrolment page); empty if there is none or it expired.
   *
   * @throws IllegalStateException if the authenticator has no pending-enrolment store
   * @throws GeneralSecurityException if the stored seed cannot be decrypted
   */
  public Optional<TotpEnrollment> pendingEnrollment(String accountId) throws GeneralSecurityException {
    requireId(accountId, "accountId");
    Optional<PendingTotpEnrollment> p = pendingStore().find(accountId, clock.instant());
    if (p.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(enrollmentOf(p.get()));
  }

  /**
   * Confirms the account's pending enrolment with the first code from the user's app: stores the
   * credential (replacing any earlier one; the seed stays the ciphertext the protector made) and
   * emits {@code authn_mfa_enrolled}.
   *
   * <p>Every call counts one attempt before the code is checked; after
   * {@link Builder#maxConfirmationAttempts} attempts (default 5) the enrolment can no longer be
   * confirmed, however many requests run at once. An expired enrolment is never confirmed. Of
   * concurrent confirmations of one enrolment exactly one can succeed: the code's step is
   * accepted once, and the store removes the enrolment for one caller only.
   *
   * @return true if the credential was stored; false if there is no live pending enrolment, the
   *     attempts are used up, the code is wrong, malformed or replayed, or another request
   *     confirmed, replaced or cancelled the enrolment first
   * @throws IllegalStateException if the authenticator has no pending-enrolment store
   * @throws GeneralSecurityException if the stored seed cannot be decrypted (nothing is stored)
   */
  public boolean confirmPendingEnrollment(String accountId, String code) throws GeneralSecurityException {
    requireId(accountId, "accountId");
    PendingTotpEnrollmentStore store = pendingStore();
    Optional<PendingTotpEnrollment> reserved = store.reserveAttempt(accountId, clock.instant(), maxConfirmationAttempts);
    if (reserved.isEmpty()) {
      return false;
    }
    PendingTotpEnrollment p = reserved.get();
    TotpSecret secret = unprotect(p.protectedSeed(), p.credentialId());
    TotpVerification v = new TotpVerifier(p.settings(), usedSteps, clock).verify(p.credentialId(), secret, code);
    if (!v.accepted() || !store.complete(accountId, p.credentialId(), clock.instant())) {
      return false;
    }
    Optional<TotpCredential> previous = credentials.find(accountId);
    credentials.save(new TotpCredential(accountId, p.credentialId(), p.protectedSeed(), p.settings(), clock.instant()));
    previous.ifPresent(old -> usedSteps.forget(old.credentialId()));
    emit(SecurityEventType.MFA_ENROLLED, accountId, Map.of("factor", "totp"));
    return true;
  }

  /**
   * Drops the account's pending enrolment (the user gave up); true if there was one.
   *
   * @throws IllegalStateException if the authenticator has no pending-enrolment store
   */
  public boolean cancelPendingEnrollment(String accountId) {
    requireId(accountId, "accountId");
    return pendingStore().delete(accountId);
  }

  private PendingTotpEnrollmentStore pendingStore() {
    if (pending == null) {
      throw new IllegalStateException("no pending-enrolment store: build with pendingEnrollments(store)");
    }
    return pending;
  }

  private TotpEnrollment enrollmentOf(PendingTotpEnrollment p) throws GeneralSecurityException {
    TotpSecret secret = unprotect(p.protectedSeed(), p.credentialId());
    return new TotpEnrollment(p.accountId(), p.credentialId(),
        new OtpAuthUri(p.issuer(), p.accountName(), secret, p.settings()));
  }

  private TotpSecret unprotect(byte[] box, String credentialId) throws GeneralSecurityException {
    byte[] seed = protector.unprotect(box, credentialId);
    try {
      return TotpSecret.ofBytes(seed);
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("stored TOTP seed has an invalid length after unprotect");
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
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
    TotpSecret secret = unprotect(c.protectedSeed(), c.credentialId());
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
    private PendingTotpEnrollmentStore pending;
    private Duration enrollmentTimeout = Duration.ofMinutes(10);
    private int maxConfirmationAttempts = 5;

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

    /**
     * Keeps enrolments between begin and confirmation in {@code store} (see
     * {@link TotpAuthenticator#beginPendingEnrollment}); without it only the in-memory
     * {@link TotpEnrollment} flow is available.
     */
    public Builder pendingEnrollments(PendingTotpEnrollmentStore store) {
      this.pending = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How long a pending enrolment can be confirmed: 1 minute to 1 hour, default 10 minutes. */
    public Builder enrollmentTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMinutes(1)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("enrollmentTimeout must be 1 minute to 1 hour");
      }
      this.enrollmentTimeout = timeout;
      return this;
    }

    /** Confirmation attempts one pending enrolment allows: 1 to 20, default 5. */
    public Builder maxConfirmationAttempts(int attempts) {
      if (attempts < 1 || attempts > 20) {
        throw new IllegalArgumentException("maxConfirmationAttempts must be 1 to 20");
      }
      this.maxConfirmationAttempts = attempts;
      return this;
    }

    /**
     * @throws IllegalStateException if a database store ({@link JdbcTotpCredentialStore},
     *     {@link JdbcPendingTotpEnrollmentStore}) would receive seeds through
     *     {@link SeedProtector#PLAINTEXT}: give it a protector that encrypts
     */
    public TotpAuthenticator build() {
      if (protector == SeedProtector.PLAINTEXT
          && (credentials instanceof JdbcTotpCredentialStore || pending instanceof JdbcPendingTotpEnrollmentStore)) {
        throw new IllegalStateException("a database TOTP store needs a SeedProtector that encrypts the seeds"
            + " (for example over bulwark-crypto's Envelope), not SeedProtector.PLAINTEXT");
      }
      return new TotpAuthenticator(this);
    }
  }
}
