package dev.bulwark.testkit;

import dev.bulwark.testing.FakeClock;

import static dev.bulwark.audit.AuditEvents.toAuditEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventGuard;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.flow.SecondFactorResponse;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.grant.Grant;
import dev.bulwark.authn.grant.GrantException;
import dev.bulwark.authn.grant.GrantPolicy;
import dev.bulwark.authn.grant.Grants;
import dev.bulwark.authn.grant.InMemoryGrantStore;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.recovery.GeneratedRecoveryCodes;
import dev.bulwark.authn.recovery.RecoveryCodes;
import dev.bulwark.authn.recovery.spi.RecoveryCodeStore;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.LimitAction;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.SessionPolicy;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.stepup.StepUp;
import dev.bulwark.authn.stepup.StepUpRequirement;
import dev.bulwark.authn.token.IdTokenValidator;
import dev.bulwark.authn.token.SessionJwts;
import dev.bulwark.authn.token.TokenException;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.authn.webauthn.Ceremony;
import dev.bulwark.authn.webauthn.InMemoryChallengeStore;
import dev.bulwark.authn.webauthn.InMemoryCredentialStore;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnException;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyEvent;
import dev.bulwark.crypto.KeyEventGuard;
import dev.bulwark.crypto.Keyring;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.LegalHold;
import dev.bulwark.lifecycle.LegalHoldException;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleEvent;
import dev.bulwark.lifecycle.LifecycleEventGuard;
import dev.bulwark.lifecycle.LifecycleException;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.LifecycleStoreException;
import dev.bulwark.lifecycle.PurgeRefusedException;
import dev.bulwark.lifecycle.PurgeRunner;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.spi.ExpiryHandler;
import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.testing.webauthn.VirtualAuthenticator;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Wires every library module's listener into one real {@link AuditLog} (vocabulary only: no
 * {@code allowCustomActions}) through {@link dev.bulwark.audit.AuditEvents#toAuditEvent}, drives
 * every event type each module can emit through the module's own operations, and checks that each
 * one was appended as it is. The types are enumerated from the modules themselves (authn's
 * {@link SecurityEventType} constants, crypto's {@link KeyEvent#TYPES}, lifecycle's
 * {@link LifecycleEvent.Type}), so a new type that is not driven here, or that audit cannot map,
 * fails this test. The listeners fail closed: an event the log refuses would refuse the operation.
 */
class EveryModuleEventReachesAuditLogTest {

  /** authn types no authn component emits itself: the host emits them with the same listener. */
  private static final Set<String> HOST_EMITTED_AUTHN = Set.of(SecurityEventType.PASSWORD_CHANGE,
      SecurityEventType.SESSION_EXPIRED);

  private static final String ORIGIN = "https://example.com";

  private final FakeClock clock = FakeClock.at(Instant.parse("2026-06-01T09:00:00Z"));
  private final AuditLog log = AuditLog.builder("test.example/audit", new InMemoryAuditStore()).clock(clock).build();
  private final List<String> delivered = new CopyOnWriteArrayList<>();

  private final SecurityEventGuard authnAudit = SecurityEventGuard.builder(e -> {
    delivered.add(e.type());
    log.append(toAuditEvent(e.type(), e.subject(), e.occurredAt(), e.source(), e.details()));
  }).failClosed(true).build();
  private final KeyEventGuard cryptoAudit = KeyEventGuard.builder(e -> {
    delivered.add(e.type());
    log.append(toAuditEvent(e.type(), Optional.of(e.keyring()), e.occurredAt(), Optional.empty(), e.details()));
  }).failClosed(true).build();
  private final LifecycleEventGuard lifecycleAudit = LifecycleEventGuard.builder(e -> {
    delivered.add(e.name());
    log.append(toAuditEvent(e.name(), e.subject(), e.at(), Optional.empty(), e.auditDetails()));
  }).failClosed(true).build();

  @Test
  void everyEventOfEveryModule_isAppendedAsItIs() throws Exception {
    Set<String> authnTypes = authnTypes();
    Set<String> lifecycleTypes = Arrays.stream(LifecycleEvent.Type.values())
        .map(t -> new LifecycleEvent(t, clock.instant(), Attribution.of("x", "y"), Map.of(), Optional.empty()).name())
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> expected = new TreeSet<>(authnTypes);
    expected.addAll(KeyEvent.TYPES);
    expected.addAll(lifecycleTypes);

    driveAuthn();
    for (String type : HOST_EMITTED_AUTHN) {
      authnAudit.onEvent(new SecurityEvent(type, Optional.of("u-alice"), clock.instant(), Optional.of("192.0.2.7"),
          Map.of("scope", "host")));
    }
    driveCrypto();
    driveLifecycle();

    assertEquals(0, authnAudit.failures() + cryptoAudit.failures() + lifecycleAudit.failures(),
        "no listener failed");
    Set<String> emitted = new TreeSet<>(delivered);
    assertEquals(expected, emitted, "every type each module declares was driven (missing: "
        + difference(expected, emitted) + ", undeclared: " + difference(emitted, expected) + ")");

    List<LoggedEvent> logged;
    try (var events = log.query(AuditQuery.ALL)) {
      logged = events.toList();
    }
    assertEquals(delivered.size(), logged.size(), "every delivered event is in the log");
    assertEquals(delivered, logged.stream().map(l -> l.event().action().name()).toList());
    assertTrue(logged.stream().noneMatch(l -> l.event().action().custom()), "one vocabulary: no custom actions");

    LoggedEvent success = logged.stream()
        .filter(l -> l.event().action().name().equals(SecurityEventType.LOGIN_SUCCESS)
            && l.event().details().containsKey("account_id"))
        .findFirst().orElseThrow(() -> new AssertionError("the password login success is in the log"));
    assertEquals("u-alice", success.event().details().get("account_id"));
    assertEquals("alice", success.event().actor().id());
  }

  private static Set<String> authnTypes() throws IllegalAccessException {
    Set<String> types = new TreeSet<>();
    for (Field f : SecurityEventType.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        types.add((String) f.get(null));
      }
    }
    assertTrue(types.size() >= 28, "the constants are read by reflection: " + types);
    return types;
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> d = new TreeSet<>(a);
    d.removeAll(b);
    return d;
  }

  // ------------------------------------------------------------------------------------ authn

  private void driveAuthn() throws Exception {
    PasswordHasher hasher =
        PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
    Map<String, Account> accounts = Map.of(
        "alice", new Account("u-alice", hasher.hash("alice long passphrase"), Set.of("user")),
        "root", new Account("u-root", hasher.hash("root long passphrase"), Set.of("admin")));
    AccountDirectory directory = new AccountDirectory() {
      @Override
      public Optional<Account> find(String username) {
        return Optional.ofNullable(accounts.get(username));
      }

      @Override
      public void updatePasswordHash(String accountId, String newHash) {}
    };
    Lockout lockout = Lockout.builder(AttemptStore.inMemory(clock)).clock(clock).listener(authnAudit).build();
    UsedTotpStepStore usedSteps = UsedTotpStepStore.inMemory(clock);
    TotpAuthenticator totp = TotpAuthenticator.builder(TotpCredentialStore.inMemory(), usedSteps)
        .clock(clock).listener(authnAudit).build();
    RecoveryCodes recovery = RecoveryCodes.builder(RecoveryCodeStore.inMemory()).clock(clock).listener(authnAudit).build();
    LoginFlow flow = LoginFlow.builder(directory, hasher, lockout).totp(totp).recoveryCodes(recovery)
        .clock(clock).listener(authnAudit).build();
    Optional<String> ip = Optional.of("192.0.2.10");

    // Password logins: success, failure, success after failure, lockout, unlock.
    assertEquals(LoginResult.Outcome.SUCCESS, flow.login(LoginRequest.of("alice", "alice long passphrase", ip)).outcome());
    flow.login(LoginRequest.of("alice", "wrong", ip));
    assertEquals(LoginResult.Outcome.SUCCESS, flow.login(LoginRequest.of("alice", "alice long passphrase", ip)).outcome());
    flow.login(LoginRequest.of("mallory", "guess", ip));
    for (int i = 0; i < 40; i++) {
      lockout.recordFailure("mallory", Factor.PASSWORD, Optional.of("198.51.100.9"));
    }
    lockout.unlock("mallory", "ops");

    // TOTP: enrol, wrong code, right code, replay, recovery codes, removal.
    TotpEnrollment enrollment = totp.beginEnrollment("u-root", "Example", "root");
    TotpVerifier codes = new TotpVerifier(enrollment.uri().settings(), UsedTotpStepStore.inMemory(clock), clock);
    assertTrue(totp.confirmEnrollment(enrollment, codes.codeAt(enrollment.uri().secret(), clock.instant())));
    clock.advance(Duration.ofSeconds(30));
    String code = codes.codeAt(enrollment.uri().secret(), clock.instant());
    String wrong = code.equals("000000") ? "111111" : "000000";
    flow.login(LoginRequest.of("root", "root long passphrase", ip).withSecondFactor(SecondFactorResponse.totp(wrong)));
    assertEquals(LoginResult.Outcome.SUCCESS, flow.login(LoginRequest.of("root", "root long passphrase", ip)
        .withSecondFactor(SecondFactorResponse.totp(code))).outcome());
    assertFalse(totp.verify("u-root", code).accepted());
    GeneratedRecoveryCodes generated = recovery.regenerate("u-root");
    assertTrue(recovery.redeem("u-root", generated.codes().get(0)));
    assertTrue(totp.remove("u-root"));

    driveWebAuthn();
    driveSessions();
    driveGrants();

    try {
      IdTokenValidator.builder("https://issuer.example", "client", () -> "{\"keys\":[]}")
          .clock(clock).listener(authnAudit).build().validate("not.a.token", "nonce");
    } catch (TokenException expected) {
      // authn_token_invalid
    }
    SessionJwts jwts = new SessionJwts("https://app.example", "app", Duration.ofMinutes(5), clock, authnAudit);
    assertThrows(TokenException.class, () -> jwts.validate("garbage"));
  }

  private void driveWebAuthn() throws Exception {
    InMemoryCredentialStore credentials = new InMemoryCredentialStore();
    WebAuthn webauthn = WebAuthn.builder(WebAuthnPolicy.of("example.com", "Example", ORIGIN), credentials)
        .challenges(new InMemoryChallengeStore(clock)).clock(clock).listener(authnAudit).build();
    VirtualAuthenticator authenticator = new VirtualAuthenticator(ORIGIN);
    Ceremony registration = webauthn.startRegistration("alice", "Alice");
    StoredCredential credential =
        webauthn.finishRegistration(registration.id(), authenticator.register(registration.optionsJson()));
    authenticator.credentials().get(0).counter = 41;
    Ceremony login = webauthn.startAuthentication(Optional.of("alice"));
    webauthn.finishAuthentication(login.id(), authenticator.authenticate(login.optionsJson()));
    authenticator.credentials().get(0).counter = 3; // a cloned authenticator: counter goes back
    Ceremony cloned = webauthn.startAuthentication(Optional.of("alice"));
    try {
      webauthn.finishAuthentication(cloned.id(), authenticator.authenticate(cloned.optionsJson()));
    } catch (WebAuthnException flaggedOrRefused) {
      // either way authn_webauthn_counter_regression was emitted
    }
    assertThrows(WebAuthnException.class, () -> webauthn.finishAuthentication("0".repeat(32), "{}"));
    assertTrue(webauthn.removeCredential("alice", credential.credentialId()));
  }

  private void driveSessions() throws Exception {
    Sessions sessions = Sessions.builder(new InMemorySessionStore(clock))
        .policy(SessionPolicy.nist(AssuranceLevel.AAL1).withLimit(1, LimitAction.REJECT_NEW))
        .clock(clock).listener(authnAudit).build();
    IssuedSession first = sessions.create("u-alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant()));
    assertThrows(SessionException.class,
        () -> sessions.create("u-alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant())));
    IssuedSession rotated = sessions.rotate(first.token().reveal());
    new StepUp(clock, authnAudit).check(rotated.session(),
        StepUpRequirement.of(AssuranceLevel.AAL3, Duration.ofMinutes(5)), EnumSet.of(Factor.PASSWORD, Factor.WEBAUTHN));
    assertThrows(SessionException.class, () -> sessions.validate("not-a-session-token"));
    assertTrue(sessions.revoke(rotated.token().reveal()));

    Sessions evicting = Sessions.builder(new InMemorySessionStore(clock))
        .policy(SessionPolicy.nist(AssuranceLevel.AAL1).withLimit(1, LimitAction.EVICT_OLDEST))
        .clock(clock).listener(authnAudit).build();
    evicting.create("u-bob", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant()));
    IssuedSession latest = evicting.create("u-bob", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant()));
    clock.advance(Duration.ofDays(60));
    assertThrows(SessionException.class, () -> evicting.validate(latest.token().reveal()));
    evicting.revokeAll("u-bob");
  }

  private void driveGrants() throws GrantException {
    Grants grants = new Grants(new InMemoryGrantStore(), GrantPolicy.defaults(), clock, authnAudit);
    Grant approved = grants.request("u-alice", "db:prod", "incident 7", Duration.ofMinutes(30));
    grants.approve(approved.id(), "u-root");
    grants.revoke(approved.id(), "u-root");
    Grant denied = grants.request("u-alice", "db:prod", "curious", Duration.ofMinutes(30));
    grants.deny(denied.id(), "u-root");
    Grant expiring = grants.request("u-alice", "db:prod", "incident 8", Duration.ofMinutes(30));
    grants.approve(expiring.id(), "u-root");
    clock.advance(Duration.ofHours(2));
    grants.expireDue();
  }

  // ----------------------------------------------------------------------------------- crypto

  private Keyrings keyrings() throws Exception {
    return Keyrings.builder(KeyringStores.inMemory(), KekProviders.local(KekProviders.masterKey(new byte[32])))
        .clock(clock).refreshInterval(Duration.ZERO).listener(cryptoAudit).build();
  }

  private void driveCrypto() throws Exception {
    Keyrings keyrings = keyrings();
    Keyring k = keyrings.keyring("tenant-acme");
    k.rotate();
    k.rotate();
    k.disable(1);
    k.enable(1);
    k.setMinDecryptableVersion(2);
    k.destroy(1);
    keyrings.shred("tenant-acme");
  }

  // -------------------------------------------------------------------------------- lifecycle

  private void driveLifecycle() throws Exception {
    DataClass doc = DataClass.of("doc");
    DataClass anon = DataClass.of("profile");
    DataClass arch = DataClass.of("invoice");
    InMemoryHostRecords records = HostRecords.inMemory(doc, anon, arch);
    LifecycleStore store = LifecycleStore.inMemory(records);
    boolean[] failArchive = {true};
    Keyrings keyrings = keyrings();
    Attribution alice = Attribution.of("alice", "user request");
    Attribution ops = Attribution.of("ops", "INC-1");
    Lifecycle lifecycle = Lifecycle.builder(store)
        .policies(RetentionPolicies.of(
            RetentionPolicy.purgeAfter(doc, Period.ofDays(90)),
            RetentionPolicy.purgeAfter(anon, Period.ofDays(90)).withAction(RetentionPolicy.Action.ANONYMISE),
            RetentionPolicy.purgeAfter(arch, Period.ofDays(90)).withAction(RetentionPolicy.Action.ARCHIVE)))
        .expiryHandler(new ExpiryHandler() {
          @Override
          public void anonymise(List<RecordState> records) {}

          @Override
          public void archive(List<RecordState> records) {
            if (failArchive[0]) {
              throw new IllegalStateException("archive offline");
            }
          }
        })
        .keyShredder(subject -> keyrings.shred("user-" + subject).toString())
        .clock(clock).listener(lifecycleAudit).build();
    List<RecordRef> refs = new ArrayList<>();
    for (DataClass c : List.of(doc, anon, arch)) {
      for (int i = 0; i < 2; i++) {
        RecordRef r = RecordRef.of(c, c.name() + i);
        records.insert(r, Optional.of("s" + i), Optional.of("t"));
        refs.add(r);
      }
    }
    lifecycle.changePolicy(RetentionPolicy.purgeAfter(doc, Period.ofDays(120)), ops, false);
    lifecycle.changePolicy(RetentionPolicy.purgeAfter(doc, Period.ofDays(60)), ops, true);
    lifecycle.reevaluate(doc, ops);
    var restorable = lifecycle.softDelete(List.of(refs.get(0)), alice);
    lifecycle.restore(restorable.id(), alice);
    LegalHold hold = lifecycle.holdSubject("s9", "case 9", "legal", ops);
    RecordRef held = RecordRef.of(doc, "held");
    records.insert(held, Optional.of("s9"), Optional.of("t"));
    assertThrows(LegalHoldException.class, () -> lifecycle.erase("s9", Optional.empty(), false, alice));
    lifecycle.releaseHold(hold.id(), ops);
    lifecycle.softDelete(refs, alice);
    clock.advance(Duration.ofDays(31));

    PurgeRunner runner = PurgeRunner.builder(lifecycle).firstRunLimit(10_000).volumeLimit(1_000, 10_000).build();
    assertThrows(LifecycleStoreException.class, runner::run);
    failArchive[0] = false;
    clock.advance(Duration.ofMinutes(1));
    runner.run();
    clock.set(clock.instant().minus(Duration.ofDays(1)));
    assertThrows(PurgeRefusedException.class, runner::run);
    clock.advance(Duration.ofDays(2));
    runner.run(new PurgeRunner.Confirmation(ops, 10));
    lifecycle.erase("s9", Optional.empty(), true, alice);
    runner.resetWatermark(ops);

    // A row the database refuses to delete (a foreign key, a trigger) exists only on a JDBC store
    // (JdbcLifecycleHardeningIT drives it there); here the event the runner announces for it.
    DeletionEvidence failed = new DeletionEvidence(UUID.randomUUID(), DeletionEvidence.Kind.PURGE_FAILED,
        Optional.of(doc), "purge after P60D; not deleted: foreign key",
        List.of(new DeletionEvidence.Item(DeletionEvidence.hashRecord(refs.get(1)),
            Optional.of(DeletionEvidence.hashSubject("s1")))), clock.instant(), ops, "purge:run-2");
    lifecycleAudit.onEvent(new LifecycleEvent(LifecycleEvent.Type.PURGE_ROW_FAILED, failed.at(), ops,
        Map.of("evidence", failed.id().toString(), "count", "1", "policy", failed.policy(),
            "reference", failed.reference(), "data_class", doc.name()), Optional.of(failed)));
  }
}
