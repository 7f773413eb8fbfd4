package dev.bulwark.authn.webauthn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.yubico.webauthn.AssertionRequest;
import com.yubico.webauthn.AssertionResult;
import com.yubico.webauthn.FinishAssertionOptions;
import com.yubico.webauthn.FinishRegistrationOptions;
import com.yubico.webauthn.RegistrationResult;
import com.yubico.webauthn.RelyingParty;
import com.yubico.webauthn.StartAssertionOptions;
import com.yubico.webauthn.StartRegistrationOptions;
import com.yubico.webauthn.data.AuthenticatorAssertionResponse;
import com.yubico.webauthn.data.AuthenticatorAttestationResponse;
import com.yubico.webauthn.data.AuthenticatorSelectionCriteria;
import com.yubico.webauthn.data.ByteArray;
import dev.bulwark.common.Bytes;
import com.yubico.webauthn.data.ClientAssertionExtensionOutputs;
import com.yubico.webauthn.data.ClientRegistrationExtensionOutputs;
import com.yubico.webauthn.data.PublicKeyCredential;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import com.yubico.webauthn.data.RelyingPartyIdentity;
import com.yubico.webauthn.data.UserIdentity;
import com.yubico.webauthn.exception.AssertionFailedException;
import com.yubico.webauthn.exception.RegistrationFailedException;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.session.internal.Events;
import dev.bulwark.authn.webauthn.internal.RepositoryAdapter;
import dev.bulwark.authn.webauthn.internal.YubicoTypes;
import dev.bulwark.authn.webauthn.spi.AttestationTrust;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * WebAuthn registration and authentication ceremonies over Yubico's {@link RelyingParty}, with
 * the parts Yubico leaves to the host: single-use, expiring challenges; credential storage;
 * storing the signature counter after each login; a counter policy that tolerates synced passkeys.
 *
 * <pre>{@code
 * import dev.bulwark.authn.SecurityEventListener;
 * import dev.bulwark.authn.webauthn.jdbc.*;
 * import javax.sql.DataSource;
 *
 * // Given: DataSource ds, Clock clock, SecurityEventListener audit, String json (the browser's response)
 * WebAuthn webauthn = WebAuthn.builder(WebAuthnPolicy.of("example.com", "Example", "https://example.com"),
 *         new JdbcCredentialStore(ds)).challenges(new JdbcChallengeStore(ds))
 *     .clock(clock).listener(audit).build();
 * Ceremony c = webauthn.startRegistration("alice", "Alice");          // send c to the browser
 * StoredCredential cred = webauthn.finishRegistration(c.id(), json);  // navigator.credentials.create() result
 * Ceremony a = webauthn.startAuthentication(Optional.empty());        // empty: passkey, username-less
 * WebAuthnLogin login = webauthn.finishAuthentication(a.id(), json);
 * }</pre>
 *
 * <p>Guarantees: a ceremony id is accepted once and only before {@code challengeTimeout}; its
 * state is removed before verification, so a failed or replayed finish cannot be retried; every
 * failure is a {@link WebAuthnException} and stores nothing; Yubico verifies origin, RP id hash,
 * challenge, flags, signature and credential ownership (≥ 2.9.0, see YSA-2026-02); the signature
 * counter is compared by Bulwark (Yubico's own check is off so that {@link CounterPolicy#FLAG} can
 * accept clones-or-resets while still reporting them). Thread-safe.
 */
public final class WebAuthn {

  private static final SecureRandom RANDOM = new SecureRandom();
  // Backup eligibility and backup state bits of the authenticator data flags (WebAuthn L3 §6.1).
  // Read from the raw byte: Yubico marks its BE/BS accessors experimental.
  private static final int BE = 0x08;
  private static final int BS = 0x10;

  private final WebAuthnPolicy policy;
  private final CredentialStore credentials;
  private final ChallengeStore challenges;
  private final Clock clock;
  private final SecurityEventListener listener;
  private final RelyingParty rp;

  private WebAuthn(Builder b) {
    this.policy = b.policy;
    this.credentials = b.credentials;
    this.challenges = b.challenges;
    this.clock = b.clock;
    this.listener = b.listener;
    RelyingParty.RelyingPartyBuilder rpb = RelyingParty.builder()
        .identity(RelyingPartyIdentity.builder().id(policy.rpId()).name(policy.rpName()).build())
        .credentialRepository(new RepositoryAdapter(credentials))
        .origins(policy.origins())
        .attestationConveyancePreference(YubicoTypes.of(policy.attestation()))
        .allowUntrustedAttestation(policy.allowUntrustedAttestation())
        .validateSignatureCounter(false)
        .clock(clock);
    b.trust.map(YubicoTypes::of).ifPresent(rpb::attestationTrustSource);
    this.rp = rpb.build();
  }

  /** A builder; the challenge store defaults to {@link InMemoryChallengeStore} on the clock. */
  public static Builder builder(WebAuthnPolicy policy, CredentialStore credentials) {
    return new Builder(policy, credentials);
  }

  /** Builder. */
  public static final class Builder {
    private final WebAuthnPolicy policy;
    private final CredentialStore credentials;
    private ChallengeStore challenges;
    private Clock clock = Clock.systemUTC();
    private SecurityEventListener listener = SecurityEventListener.NONE;
    private Optional<AttestationTrust> trust = Optional.empty();

    private Builder(WebAuthnPolicy policy, CredentialStore credentials) {
      this.policy = Objects.requireNonNull(policy, "policy");
      this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    /** Where ceremony state waits between start and finish (use a shared store with several nodes). */
    public Builder challenges(ChallengeStore challenges) {
      this.challenges = Objects.requireNonNull(challenges, "challenges");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder listener(SecurityEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Roots for attestation (e.g. from the FIDO Metadata Service); needed for trusted attestation only. */
    public Builder attestationTrust(AttestationTrust trust) {
      this.trust = Optional.of(Objects.requireNonNull(trust, "trust"));
      return this;
    }

    public WebAuthn build() {
      if (challenges == null) {
        challenges = new InMemoryChallengeStore(clock);
      }
      return new WebAuthn(this);
    }
  }

  /** Starts registering a new credential for {@code username} (a new or an existing account). */
  public Ceremony startRegistration(String username, String displayName) {
    return startRegistration(username, displayName, Optional.empty());
  }

  /**
   * As {@link #startRegistration(String, String)} for a client at {@code source} (its address):
   * the challenge store bounds each source's open ceremonies (see
   * {@link ChallengeStore#put(String, String, Instant, Optional)}).
   */
  public Ceremony startRegistration(String username, String displayName, Optional<String> source) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(displayName, "displayName");
    if (username.isEmpty() || username.length() > 255) {
      throw new IllegalArgumentException("username must be 1-255 characters");
    }
    ByteArray handle = credentials.userHandleFor(username).map(RepositoryAdapter::yubico).orElseGet(WebAuthn::newUserHandle);
    PublicKeyCredentialCreationOptions request = rp.startRegistration(StartRegistrationOptions.builder()
        .user(UserIdentity.builder().name(username).displayName(displayName).id(handle).build())
        .authenticatorSelection(AuthenticatorSelectionCriteria.builder()
            .residentKey(YubicoTypes.of(policy.residentKey()))
            .userVerification(YubicoTypes.of(policy.userVerification()))
            .build())
        .timeout(policy.challengeTimeout().toMillis())
        .build());
    try {
      return store(request.toJson(), request.toCredentialsCreateJson(), source);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise registration options", e);
    }
  }

  /**
   * Finishes a registration with the browser's {@code PublicKeyCredential} as JSON
   * ({@code credential.toJSON()}).
   */
  public StoredCredential finishRegistration(String ceremonyId, String responseJson) throws WebAuthnException {
    Instant now = clock.instant();
    String state = take(ceremonyId, now);
    PublicKeyCredentialCreationOptions request;
    try {
      request = PublicKeyCredentialCreationOptions.fromJson(state);
    } catch (JsonProcessingException e) {
      throw new dev.bulwark.authn.AuthnStoreException("stored registration state is corrupt", e);
    }
    String username = request.getUser().getName();
    PublicKeyCredential<AuthenticatorAttestationResponse, ClientRegistrationExtensionOutputs> response;
    try {
      response = PublicKeyCredential.parseRegistrationResponseJson(requireJson(responseJson));
    } catch (IOException | RuntimeException e) {
      fail(username, "registration", WebAuthnException.Reason.MALFORMED_RESPONSE);
      throw new WebAuthnException(WebAuthnException.Reason.MALFORMED_RESPONSE, "registration response is not valid JSON", e);
    }
    RegistrationResult result;
    try {
      result = rp.finishRegistration(FinishRegistrationOptions.builder().request(request).response(response).build());
    } catch (RegistrationFailedException | RuntimeException e) {
      fail(username, "registration", WebAuthnException.Reason.VERIFICATION_FAILED);
      throw new WebAuthnException(WebAuthnException.Reason.VERIFICATION_FAILED,
          "registration rejected: " + e.getMessage(), e);
    }
    if (policy.userVerification() == WebAuthnPolicy.UserVerification.REQUIRED && !result.isUserVerified()) {
      fail(username, "registration", WebAuthnException.Reason.VERIFICATION_FAILED);
      throw new WebAuthnException(WebAuthnException.Reason.VERIFICATION_FAILED, "user verification was required");
    }
    com.yubico.webauthn.data.AuthenticatorDataFlags flags =
        response.getResponse().getParsedAuthenticatorData().getFlags();
    StoredCredential credential = new StoredCredential(RepositoryAdapter.bulwark(result.getKeyId().getId()),
        RepositoryAdapter.bulwark(request.getUser().getId()), username, RepositoryAdapter.bulwark(result.getPublicKeyCose()), result.getSignatureCount(), result.isDiscoverable(), (flags.value & BE) != 0, (flags.value & BS) != 0, now,
        Optional.empty());
    try {
      credentials.save(credential);
    } catch (IllegalArgumentException e) {
      fail(username, "registration", WebAuthnException.Reason.CREDENTIAL_CONFLICT);
      throw new WebAuthnException(WebAuthnException.Reason.CREDENTIAL_CONFLICT, "credential cannot be stored: " + e.getMessage(), e);
    }
    Events.emit(listener, SecurityEventType.WEBAUTHN_REGISTERED, username, now, Map.of(
        "passkey_id", credential.credentialId().base64Url(),
        "backup_eligible", Boolean.toString(credential.backupEligible()),
        "discoverable", credential.discoverable().map(String::valueOf).orElse("unknown")));
    return credential;
  }

  /**
   * Starts an authentication. With a username the browser is told which credentials to use; with
   * {@code Optional.empty()} any discoverable credential (passkey) for this RP may answer and the
   * user is identified from its user handle.
   */
  public Ceremony startAuthentication(Optional<String> username) {
    return startAuthentication(username, Optional.empty());
  }

  /**
   * As {@link #startAuthentication(Optional)} for a client at {@code source} (its address): the
   * challenge store bounds each source's open ceremonies, so one client starting ceremonies in a
   * loop cannot push out other users'.
   */
  public Ceremony startAuthentication(Optional<String> username, Optional<String> source) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(source, "source");
    StartAssertionOptions.StartAssertionOptionsBuilder options = StartAssertionOptions.builder()
        .userVerification(YubicoTypes.of(policy.userVerification()))
        .timeout(policy.challengeTimeout().toMillis());
    username.ifPresent(options::username);
    AssertionRequest request = rp.startAssertion(options.build());
    try {
      return store(request.toJson(), request.toCredentialsGetJson(), source);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise assertion options", e);
    }
  }

  /** Finishes an authentication with the browser's assertion JSON; stores the new counter. */
  public WebAuthnLogin finishAuthentication(String ceremonyId, String responseJson) throws WebAuthnException {
    Instant now = clock.instant();
    String state = take(ceremonyId, now);
    AssertionRequest request;
    try {
      request = AssertionRequest.fromJson(state);
    } catch (JsonProcessingException e) {
      throw new dev.bulwark.authn.AuthnStoreException("stored assertion state is corrupt", e);
    }
    String claimed = request.getUsername().orElse(null);
    PublicKeyCredential<AuthenticatorAssertionResponse, ClientAssertionExtensionOutputs> response;
    try {
      response = PublicKeyCredential.parseAssertionResponseJson(requireJson(responseJson));
    } catch (IOException | RuntimeException e) {
      fail(claimed, "authentication", WebAuthnException.Reason.MALFORMED_RESPONSE);
      throw new WebAuthnException(WebAuthnException.Reason.MALFORMED_RESPONSE, "assertion response is not valid JSON", e);
    }
    AssertionResult result;
    try {
      result = rp.finishAssertion(FinishAssertionOptions.builder().request(request).response(response).build());
    } catch (AssertionFailedException | RuntimeException e) {
      fail(claimed, "authentication", WebAuthnException.Reason.VERIFICATION_FAILED);
      throw new WebAuthnException(WebAuthnException.Reason.VERIFICATION_FAILED, "assertion rejected: " + e.getMessage(), e);
    }
    if (!result.isSuccess()) {
      fail(claimed, "authentication", WebAuthnException.Reason.VERIFICATION_FAILED);
      throw new WebAuthnException(WebAuthnException.Reason.VERIFICATION_FAILED, "assertion rejected");
    }
    String username = result.getUsername();
    Bytes credentialId = RepositoryAdapter.bulwark(result.getCredential().getCredentialId());
    com.yubico.webauthn.data.AuthenticatorDataFlags flags =
        response.getResponse().getParsedAuthenticatorData().getFlags();
    long stored = result.getCredential().getSignatureCount();
    long reported = result.getSignatureCount();
    boolean regressed = !(stored == 0 && reported == 0) && reported <= stored;
    if (regressed) {
      Events.emit(listener, SecurityEventType.WEBAUTHN_COUNTER_REGRESSION, username, now, Map.of(
          "passkey_id", credentialId.base64Url(),
          "stored", Long.toString(stored), "reported", Long.toString(reported),
          "policy", policy.counterPolicy().name()));
      if (policy.counterPolicy() == CounterPolicy.REJECT) {
        fail(username, "authentication", WebAuthnException.Reason.COUNTER_REGRESSED);
        throw new WebAuthnException(WebAuthnException.Reason.COUNTER_REGRESSED,
            "signature counter did not increase: possible cloned authenticator");
      }
    }
    long keep = Math.max(stored, reported);
    if (!credentials.updateUsage(credentialId, keep, (flags.value & BS) != 0, now)) {
      fail(username, "authentication", WebAuthnException.Reason.CREDENTIAL_CONFLICT);
      throw new WebAuthnException(WebAuthnException.Reason.CREDENTIAL_CONFLICT, "credential was deleted during the ceremony");
    }
    AssuranceLevel level = !result.isUserVerified() ? AssuranceLevel.AAL1
        : (flags.value & BE) != 0 ? AssuranceLevel.AAL2 : AssuranceLevel.AAL3;
    Events.emit(listener, SecurityEventType.LOGIN_SUCCESS, username, now, Map.of(
        "factor", "WEBAUTHN", "passkey_id", credentialId.base64Url(),
        "user_verified", Boolean.toString(result.isUserVerified())));
    return new WebAuthnLogin(username, credentialId, result.isUserVerified(), (flags.value & BE) != 0,
        (flags.value & BS) != 0, reported, regressed, level);
  }

  /** Deletes a credential (the user removed a security key). */
  public boolean removeCredential(String username, Bytes credentialId) {
    Objects.requireNonNull(username, "username");
    boolean owned = credentials.forUsername(username).stream().anyMatch(c -> c.credentialId().equals(credentialId));
    if (!owned) {
      return false;
    }
    boolean removed = credentials.delete(credentialId);
    if (removed) {
      Events.emit(listener, SecurityEventType.MFA_REMOVED, username, clock.instant(),
          Map.of("factor", "WEBAUTHN", "passkey_id", credentialId.base64Url()));
    }
    return removed;
  }

  private Ceremony store(String stateJson, String optionsJson, Optional<String> source) {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    String ceremonyId = HexFormat.of().formatHex(id);
    challenges.put(ceremonyId, stateJson, clock.instant().plus(policy.challengeTimeout()), source);
    return new Ceremony(ceremonyId, optionsJson);
  }

  private String take(String ceremonyId, Instant now) throws WebAuthnException {
    if (ceremonyId == null || ceremonyId.length() != 32 || !ceremonyId.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new WebAuthnException(WebAuthnException.Reason.UNKNOWN_CEREMONY, "ceremony id is malformed");
    }
    Optional<String> state = challenges.take(ceremonyId, now);
    if (state.isEmpty()) {
      Events.emit(listener, SecurityEventType.MFA_FAIL, null, now,
          Map.of("factor", "WEBAUTHN", "reason", WebAuthnException.Reason.UNKNOWN_CEREMONY.name()));
      throw new WebAuthnException(WebAuthnException.Reason.UNKNOWN_CEREMONY,
          "ceremony is unknown, expired or already used");
    }
    return state.get();
  }

  private static String requireJson(String json) throws IOException {
    if (json == null || json.isEmpty() || json.length() > 64 * 1024) {
      throw new IOException("response is empty or larger than 64 KiB");
    }
    return json;
  }

  private void fail(String username, String ceremony, WebAuthnException.Reason reason) {
    Events.emit(listener, SecurityEventType.MFA_FAIL, username, clock.instant(),
        Map.of("factor", "WEBAUTHN", "ceremony", ceremony, "reason", reason.name()));
  }

  private static ByteArray newUserHandle() {
    byte[] handle = new byte[32];
    RANDOM.nextBytes(handle);
    return new ByteArray(handle);
  }
}
