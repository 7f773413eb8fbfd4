package dev.bulwark.authn.webauthn;

import dev.bulwark.testing.webauthn.VirtualAuthenticator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.testsupport.RecordingListener;
import dev.bulwark.testing.FakeClock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebAuthnTest {

  static final String ORIGIN = "https://example.com";
  static final String RP_ID = "example.com";

  final FakeClock clock = FakeClock.atDefaultEpoch();
  final RecordingListener events = new RecordingListener();
  final InMemoryCredentialStore store = new InMemoryCredentialStore();
  final VirtualAuthenticator authenticator = new VirtualAuthenticator(ORIGIN);

  WebAuthn webauthn(WebAuthnPolicy policy) {
    return WebAuthn.builder(policy, store).clock(clock).listener(events).build();
  }

  WebAuthn webauthn() {
    return webauthn(WebAuthnPolicy.of(RP_ID, "Example", ORIGIN));
  }

  StoredCredential register(WebAuthn w, String user) throws WebAuthnException {
    Ceremony c = w.startRegistration(user, user.toUpperCase(java.util.Locale.ROOT));
    return w.finishRegistration(c.id(), authenticator.register(c.optionsJson()));
  }

  @Test
  void registerThenAuthenticate_storesCounterAfterEachLogin() throws Exception {
    WebAuthn w = webauthn();
    StoredCredential cred = register(w, "alice");
    assertEquals("alice", cred.username());
    assertEquals(1, store.forUsername("alice").size());
    assertTrue(events.types().contains(SecurityEventType.WEBAUTHN_REGISTERED));

    for (int i = 1; i <= 3; i++) {
      Ceremony a = w.startAuthentication(Optional.of("alice"));
      WebAuthnLogin login = w.finishAuthentication(a.id(), authenticator.authenticate(a.optionsJson()));
      assertEquals("alice", login.username());
      assertTrue(login.userVerified());
      assertFalse(login.counterRegressed());
      assertEquals(AssuranceLevel.AAL3, login.suggestedLevel());
      assertEquals(i, store.forUsername("alice").iterator().next().signatureCount());
    }
  }

  @Test
  void passkey_usernameLessLogin_identifiesUserFromHandle() throws Exception {
    WebAuthn w = webauthn(WebAuthnPolicy.of(RP_ID, "Example", ORIGIN).withResidentKey(WebAuthnPolicy.ResidentKey.REQUIRED));
    Ceremony reg = w.startRegistration("bob", "Bob");
    assertTrue(reg.optionsJson().contains("\"residentKey\":\"required\""), reg.optionsJson());
    w.finishRegistration(reg.id(), authenticator.register(reg.optionsJson()));
    Ceremony a = w.startAuthentication(Optional.empty());
    assertFalse(a.optionsJson().contains("allowCredentials\":[{"), a.optionsJson());
    WebAuthnLogin login = w.finishAuthentication(a.id(), authenticator.authenticate(a.optionsJson()));
    assertEquals("bob", login.username());
  }

  @Test
  void secondRegistration_reusesUserHandle() throws Exception {
    WebAuthn w = webauthn();
    StoredCredential first = register(w, "alice");
    StoredCredential second = register(w, "alice");
    assertEquals(first.userHandle(), second.userHandle());
    assertEquals(2, store.forUsername("alice").size());
  }

  @Test
  void syncedPasskey_zeroCounter_isAcceptedEveryTime_atAal2() throws Exception {
    authenticator.backupEligible = true;
    authenticator.zeroCounter = true;
    WebAuthn w = webauthn(WebAuthnPolicy.of(RP_ID, "Example", ORIGIN).withCounterPolicy(CounterPolicy.REJECT));
    StoredCredential cred = register(w, "carol");
    assertTrue(cred.backupEligible());
    for (int i = 0; i < 3; i++) {
      Ceremony a = w.startAuthentication(Optional.of("carol"));
      WebAuthnLogin login = w.finishAuthentication(a.id(), authenticator.authenticate(a.optionsJson()));
      assertFalse(login.counterRegressed());
      assertEquals(AssuranceLevel.AAL2, login.suggestedLevel());
    }
    assertEquals(0, events.count(SecurityEventType.WEBAUTHN_COUNTER_REGRESSION));
  }

  @Test
  void regressingCounter_rejectPolicy_failsAndKeepsStoredCounter() throws Exception {
    WebAuthn w = webauthn(WebAuthnPolicy.of(RP_ID, "Example", ORIGIN).withCounterPolicy(CounterPolicy.REJECT));
    register(w, "dave");
    Ceremony a = w.startAuthentication(Optional.of("dave"));
    authenticator.credentials().get(0).counter = 9;
    w.finishAuthentication(a.id(), authenticator.authenticate(a.optionsJson())); // counter 10
    authenticator.credentials().get(0).counter = 4; // a clone with an older counter
    Ceremony b = w.startAuthentication(Optional.of("dave"));
    WebAuthnException e = assertThrows(WebAuthnException.class,
        () -> w.finishAuthentication(b.id(), authenticator.authenticate(b.optionsJson())));
    assertEquals(WebAuthnException.Reason.COUNTER_REGRESSED, e.reason());
    assertEquals(10, store.forUsername("dave").iterator().next().signatureCount());
    assertEquals(1, events.count(SecurityEventType.WEBAUTHN_COUNTER_REGRESSION));
  }

  @Test
  void regressingCounter_flagPolicy_acceptsAndFlags() throws Exception {
    WebAuthn w = webauthn();
    register(w, "erin");
    authenticator.credentials().get(0).counter = 41;
    Ceremony a = w.startAuthentication(Optional.of("erin"));
    w.finishAuthentication(a.id(), authenticator.authenticate(a.optionsJson()));
    authenticator.credentials().get(0).counter = 41; // next assertion reports 42, then we force 42 again
    Ceremony b = w.startAuthentication(Optional.of("erin"));
    WebAuthnLogin same = w.finishAuthentication(b.id(), authenticator.authenticate(b.optionsJson()));
    assertTrue(same.counterRegressed());
    assertEquals(42, store.forUsername("erin").iterator().next().signatureCount());
    assertEquals(1, events.count(SecurityEventType.WEBAUTHN_COUNTER_REGRESSION));
  }

  @Test
  void ceremony_isSingleUse() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    String response = authenticator.authenticate(a.optionsJson());
    w.finishAuthentication(a.id(), response);
    WebAuthnException e = assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), response));
    assertEquals(WebAuthnException.Reason.UNKNOWN_CEREMONY, e.reason());
  }

  @Test
  void replayedAssertion_onNewCeremony_fails() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    String response = authenticator.authenticate(a.optionsJson());
    w.finishAuthentication(a.id(), response);
    Ceremony b = w.startAuthentication(Optional.of("alice"));
    WebAuthnException e = assertThrows(WebAuthnException.class, () -> w.finishAuthentication(b.id(), response));
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED, e.reason());
  }

  @Test
  void failedFinish_burnsTheChallenge() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), "{}"));
    String good = authenticator.authenticate(a.optionsJson());
    WebAuthnException e = assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), good));
    assertEquals(WebAuthnException.Reason.UNKNOWN_CEREMONY, e.reason());
  }

  @Test
  void expiredChallenge_fails() throws Exception {
    WebAuthn w = webauthn(WebAuthnPolicy.of(RP_ID, "Example", ORIGIN).withChallengeTimeout(Duration.ofMinutes(2)));
    Ceremony c = w.startRegistration("alice", "Alice");
    String response = authenticator.register(c.optionsJson());
    clock.advance(Duration.ofMinutes(2));
    WebAuthnException e = assertThrows(WebAuthnException.class, () -> w.finishRegistration(c.id(), response));
    assertEquals(WebAuthnException.Reason.UNKNOWN_CEREMONY, e.reason());
    assertTrue(store.forUsername("alice").isEmpty());
  }

  @Test
  void wrongOrigin_failsRegistrationAndAuthentication() throws Exception {
    WebAuthn w = webauthn();
    Ceremony c = w.startRegistration("alice", "Alice");
    VirtualAuthenticator.Credential cred = authenticator.newCredential(new byte[] {1, 2, 3}, RP_ID);
    String evil = authenticator.registration(cred, VirtualAuthenticator.challengeOf(c.optionsJson()),
        "https://evil.example", RP_ID, authenticator.flags(true), "webauthn.create");
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishRegistration(c.id(), evil)).reason());
    assertTrue(store.forUsername("alice").isEmpty());

    authenticator.credentials().clear();
    register(w, "alice");
    VirtualAuthenticator.Credential real = authenticator.credentials().get(0);
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    String phished = authenticator.assertion(real, VirtualAuthenticator.challengeOf(a.optionsJson()),
        "https://examp1e.com", RP_ID, authenticator.flags(false), 5, "webauthn.get");
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), phished)).reason());
    assertEquals(0, store.forUsername("alice").iterator().next().signatureCount());
  }

  @Test
  void wrongRpIdHash_fails() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    VirtualAuthenticator.Credential real = authenticator.credentials().get(0);
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    String other = authenticator.assertion(real, VirtualAuthenticator.challengeOf(a.optionsJson()), ORIGIN,
        "other.example", authenticator.flags(false), 1, "webauthn.get");
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), other)).reason());
  }

  @Test
  void wrongCeremonyType_fails() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    VirtualAuthenticator.Credential real = authenticator.credentials().get(0);
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    String created = authenticator.assertion(real, VirtualAuthenticator.challengeOf(a.optionsJson()), ORIGIN, RP_ID,
        authenticator.flags(false), 1, "webauthn.create");
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), created)).reason());
  }

  @Test
  void userVerificationRequired_butNotPerformed_fails() throws Exception {
    WebAuthn w = webauthn();
    authenticator.userVerification = false;
    Ceremony c = w.startRegistration("alice", "Alice");
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishRegistration(c.id(), authenticator.register(c.optionsJson()))).reason());
    assertTrue(store.forUsername("alice").isEmpty());
  }

  @Test
  void userVerificationDiscouraged_acceptsPresenceOnly_atAal1() throws Exception {
    WebAuthn w = webauthn(WebAuthnPolicy.of(RP_ID, "Example", ORIGIN).withUserVerification(WebAuthnPolicy.UserVerification.DISCOURAGED));
    authenticator.userVerification = false;
    register(w, "alice");
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    WebAuthnLogin login = w.finishAuthentication(a.id(), authenticator.authenticate(a.optionsJson()));
    assertFalse(login.userVerified());
    assertEquals(AssuranceLevel.AAL1, login.suggestedLevel());
  }

  @Test
  void userPresenceMissing_fails() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    VirtualAuthenticator.Credential real = authenticator.credentials().get(0);
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    String noUp = authenticator.assertion(real, VirtualAuthenticator.challengeOf(a.optionsJson()), ORIGIN, RP_ID,
        VirtualAuthenticator.UV, 1, "webauthn.get");
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), noUp)).reason());
  }

  @Test
  void packedSelfAttestation_registers() throws Exception {
    authenticator.attestationFormat = "packed";
    StoredCredential cred = register(webauthn(), "alice");
    assertEquals("alice", cred.username());
  }

  @Test
  void untrustedAttestationRefused_whenPolicySaysSo() throws Exception {
    authenticator.attestationFormat = "packed"; // self attestation: no chain to a trusted root
    WebAuthn w = webauthn(WebAuthnPolicy.of(RP_ID, "Example", ORIGIN)
        .withAttestation(WebAuthnPolicy.Attestation.DIRECT, false));
    Ceremony c = w.startRegistration("alice", "Alice");
    assertTrue(c.optionsJson().contains("\"attestation\":\"direct\""), c.optionsJson());
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishRegistration(c.id(), authenticator.register(c.optionsJson()))).reason());
    assertTrue(store.forUsername("alice").isEmpty());
  }

  @Test
  void credentialOfAnotherUser_isRejected() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    VirtualAuthenticator bobsKey = new VirtualAuthenticator(ORIGIN);
    Ceremony reg = w.startRegistration("bob", "Bob");
    w.finishRegistration(reg.id(), bobsKey.register(reg.optionsJson()));
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    VirtualAuthenticator.Credential bob = bobsKey.credentials().get(0);
    String asBob = bobsKey.assertion(bob, VirtualAuthenticator.challengeOf(a.optionsJson()), ORIGIN, RP_ID,
        bobsKey.flags(false), 1, "webauthn.get");
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), asBob)).reason());
  }

  @Test
  void tamperedSignature_fails() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    VirtualAuthenticator.Credential real = authenticator.credentials().get(0);
    Ceremony a = w.startAuthentication(Optional.of("alice"));
    byte[] cd = VirtualAuthenticator.clientData("webauthn.get", VirtualAuthenticator.challengeOf(a.optionsJson()), ORIGIN);
    byte[] ad = VirtualAuthenticator.authData(RP_ID, authenticator.flags(false), 7, new byte[0]);
    byte[] sig = VirtualAuthenticator.sign(real, VirtualAuthenticator.concat(ad, VirtualAuthenticator.sha256(cd)));
    ad[33] ^= 0x01; // counter byte changed after signing
    String tampered = VirtualAuthenticator.assertionJson(real, cd, ad, sig);
    assertEquals(WebAuthnException.Reason.VERIFICATION_FAILED,
        assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), tampered)).reason());
    assertEquals(0, store.forUsername("alice").iterator().next().signatureCount());
  }

  @Test
  void malformedResponses_areTypedFailures() throws Exception {
    WebAuthn w = webauthn();
    for (String bad : new String[] {"", "not json", "{", "[]", "{\"id\":1}", "null",
        "{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{}}"}) {
      Ceremony c = w.startRegistration("alice", "Alice");
      WebAuthnException e = assertThrows(WebAuthnException.class, () -> w.finishRegistration(c.id(), bad));
      assertTrue(e.reason() == WebAuthnException.Reason.MALFORMED_RESPONSE
          || e.reason() == WebAuthnException.Reason.VERIFICATION_FAILED, bad + " -> " + e.reason());
      Ceremony a = w.startAuthentication(Optional.empty());
      WebAuthnException f = assertThrows(WebAuthnException.class, () -> w.finishAuthentication(a.id(), bad));
      assertTrue(f.reason() == WebAuthnException.Reason.MALFORMED_RESPONSE
          || f.reason() == WebAuthnException.Reason.VERIFICATION_FAILED, bad + " -> " + f.reason());
    }
    assertTrue(store.forUsername("alice").isEmpty());
  }

  @Test
  void malformedCeremonyIds_areUnknown() {
    WebAuthn w = webauthn();
    for (String id : new String[] {null, "", "xyz", "00000000000000000000000000000000", "G0000000000000000000000000000000"}) {
      assertEquals(WebAuthnException.Reason.UNKNOWN_CEREMONY,
          assertThrows(WebAuthnException.class, () -> w.finishAuthentication(id, "{}")).reason());
    }
  }

  @Test
  void duplicateCredentialId_isNotRegisteredTwice() throws Exception {
    WebAuthn w = webauthn();
    register(w, "alice");
    VirtualAuthenticator.Credential cred = authenticator.credentials().get(0);
    Ceremony c = w.startRegistration("mallory", "Mallory");
    String again = authenticator.registration(cred, VirtualAuthenticator.challengeOf(c.optionsJson()), ORIGIN, RP_ID,
        authenticator.flags(true), "webauthn.create");
    WebAuthnException e = assertThrows(WebAuthnException.class, () -> w.finishRegistration(c.id(), again));
    assertTrue(e.reason() == WebAuthnException.Reason.CREDENTIAL_CONFLICT
        || e.reason() == WebAuthnException.Reason.VERIFICATION_FAILED);
    assertTrue(store.forUsername("mallory").isEmpty());
  }

  @Test
  void removeCredential_onlyForItsOwner() throws Exception {
    WebAuthn w = webauthn();
    StoredCredential cred = register(w, "alice");
    assertFalse(w.removeCredential("bob", cred.credentialId()));
    assertTrue(w.removeCredential("alice", cred.credentialId()));
    assertTrue(store.forUsername("alice").isEmpty());
  }

  @Test
  void policy_rejectsInsecureOrigins() {
    assertThrows(IllegalArgumentException.class, () -> WebAuthnPolicy.of(RP_ID, "x", "http://example.com"));
    assertThrows(IllegalArgumentException.class,
        () -> WebAuthnPolicy.of(RP_ID, "x", ORIGIN).withChallengeTimeout(Duration.ofMinutes(11)));
  }
}
