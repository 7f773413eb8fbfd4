package dev.bulwark.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.StoredEvent;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BulwarkObservationsTest {

  private final TestObservationRegistry registry = TestObservationRegistry.create();
  private final BulwarkObservations observations = new BulwarkObservations(registry);
  private final java.util.List<io.micrometer.observation.Observation.Context> stopped =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  {
    registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
      @Override
      public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(io.micrometer.observation.Observation.Context context) {
        stopped.add(context);
      }
    });
  }

  @Test
  void logins_areObservedWithOutcomeFactorAndReason_neverTheUser() {
    PasswordHasher hasher = PasswordHasher.builder().build();
    String hash = hasher.hash("correct horse battery");
    SecurityEventListener listener = observations.authn();
    LoginFlow flow = LoginFlow.builder(u -> u.equals("alice") ? Optional.of(new Account("alice", hash, Set.of()))
            : Optional.empty(), hasher, Lockout.builder(AttemptStore.inMemory(Clock.systemUTC())).listener(listener).build())
        .listener(listener).build();
    flow.login(LoginRequest.of("alice", "correct horse battery", Optional.of("203.0.113.5")));
    flow.login(LoginRequest.of("alice", "wrong", Optional.of("203.0.113.5")));
    flow.login(LoginRequest.of("mallory", "wrong", Optional.of("203.0.113.5")));
    assertThat(registry).hasNumberOfObservationsWithNameEqualTo("bulwark.authn.login", 3)
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.authn.login")
            .hasLowCardinalityKeyValue("outcome", "success").hasLowCardinalityKeyValue("factor", "password"))
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.authn.login")
            .hasLowCardinalityKeyValue("outcome", "failure").hasLowCardinalityKeyValue("reason", "bad_credentials"));
    assertTrue(stopped.size() >= 3);
    for (var ctx : stopped) {
      String all = ctx.getAllKeyValues().stream().map(KeyValue::getValue).toList().toString();
      assertTrue(!all.contains("alice") && !all.contains("mallory") && !all.contains("203.0.113.5"), all);
      assertTrue(ctx.getHighCardinalityKeyValues().stream().findAny().isEmpty());
    }
  }

  @Test
  void lockouts_areObservedByFactor() {
    SecurityEventListener listener = observations.authn();
    Lockout lockout = Lockout.builder(AttemptStore.inMemory(Clock.systemUTC())).listener(listener).build();
    for (int i = 0; i < 30; i++) {
      lockout.recordFailure("alice", Factor.PASSWORD, Optional.empty());
    }
    assertThat(registry).hasAnObservation(o -> o.hasNameEqualTo("bulwark.authn.lockout")
        .hasLowCardinalityKeyValue("factor", "password"));
  }

  @Test
  void tagValuesOutsideTheVocabulary_becomeOther() {
    assertEquals("bad_credentials", BulwarkObservations.token("bad_credentials"));
    assertEquals("other", BulwarkObservations.token("alice@example.com"));
    assertEquals("other", BulwarkObservations.token("x".repeat(41)));
    assertEquals("none", BulwarkObservations.token(null));
  }

  @Test
  void keyEvents_areObservedByTypeOnly() throws Exception {
    Keyrings keyrings = Keyrings.builder(KeyringStores.inMemory(), KekProviders.local(KekProviders.masterKey(new byte[32])))
        .listener(observations.crypto()).build();
    Envelope.builder(keyrings).keyringId("tenant-acme").build().encrypt(new byte[] {1}, EncryptionContext.of("k", "v"));
    keyrings.keyring("tenant-acme").rotate();
    assertThat(registry).hasAnObservation(o -> o.hasNameEqualTo("bulwark.crypto.key")
        .hasLowCardinalityKeyValue("type", "key_rotated"));
    assertTrue(!stopped.isEmpty());
    for (var ctx : stopped) {
      assertTrue(!ctx.getAllKeyValues().toString().contains("acme"));
    }
  }

  @Test
  void auditAppends_areTimed_andAFailedAppendIsObservedAsAFailure() {
    AuditStore store = observations.observe(new InMemoryAuditStore());
    try (AuditLog log = AuditLog.builder("test", store).build()) {
      log.append(AuditEvent.builder(Action.SENSITIVE_READ, Actor.user("alice", "password")).build(Clock.systemUTC()));
    }
    assertThat(registry).hasAnObservation(o -> o.hasNameEqualTo("bulwark.audit.append")
        .hasLowCardinalityKeyValue("outcome", "success"));
    assertTrue(stopped.stream().anyMatch(c -> c.getName().equals("bulwark.audit.append")));
    AuditStore failing = observations.observe(new InMemoryAuditStore());
    assertThrows(RuntimeException.class, () -> failing.append(java.util.Collections.singletonList((StoredEvent) null)));
    assertThat(registry).hasAnObservation(o -> o.hasNameEqualTo("bulwark.audit.append")
        .hasLowCardinalityKeyValue("outcome", "failure"));
  }

  @Test
  void rateLimitDenials_areObservedWithReason() {
    var limiter = dev.bulwark.ratelimit.RateLimiter.builder("api", dev.bulwark.ratelimit.spi.RateLimitStore.inMemory())
        .quota(dev.bulwark.ratelimit.Quota.of("q", 1, java.time.Duration.ofMinutes(1))).build();
    var key = dev.bulwark.ratelimit.RateLimitKey.of("client-1");
    observations.rateLimitDecision(limiter.acquire(key));
    observations.rateLimitDecision(limiter.acquire(key));
    assertThat(registry).hasAnObservation(o -> o.hasNameEqualTo("bulwark.ratelimit.decision")
        .hasLowCardinalityKeyValue("outcome", "denied").hasLowCardinalityKeyValue("reason", "limit_exceeded"))
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.ratelimit.decision")
            .hasLowCardinalityKeyValue("outcome", "allowed"));
  }
}
