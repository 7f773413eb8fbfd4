package dev.bulwark.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.InMemoryAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.spring.autoconfigure.BulwarkActuatorAutoConfiguration;
import dev.bulwark.spring.autoconfigure.BulwarkAuditAutoConfiguration;
import dev.bulwark.spring.autoconfigure.BulwarkConfigurationException;
import dev.bulwark.spring.autoconfigure.BulwarkCryptoAutoConfiguration;
import dev.bulwark.testing.FakeClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class BulwarkActuatorTest {

  static final String MASTER_KEY = random(32);

  static String random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  @Configuration(proxyBeanMethods = false)
  static class Clocked {
    final FakeClock clock = FakeClock.atDefaultEpoch();

    @Bean
    FakeClock clock() {
      return clock;
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BulwarkAuditAutoConfiguration.class,
          BulwarkCryptoAutoConfiguration.class, BulwarkActuatorAutoConfiguration.class))
      .withUserConfiguration(Clocked.class)
      .withPropertyValues("spring.profiles.active=dev", "bulwark.audit.store=memory", "bulwark.crypto.store=memory",
          "bulwark.crypto.master-key=" + MASTER_KEY, "bulwark.actuator.verify-interval=0s");

  private static void appendSome(AuditLog log, int n) {
    for (int i = 0; i < n; i++) {
      log.append(AuditEvent.builder(Action.SENSITIVE_READ, Actor.user("alice", "password")).target("note", "n" + i)
          .build(java.time.Clock.systemUTC()));
    }
    log.checkpoint();
  }

  @Test
  void auditHealth_isUpWhileTheLogVerifies_andDownWithFindingsOnceEventsAreRemoved() {
    runner.run(context -> {
      AuditLog log = context.getBean(AuditLog.class);
      appendSome(log, 5);
      AuditLogHealthIndicator indicator = context.getBean(AuditLogHealthIndicator.class);
      Health up = indicator.health();
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      assertThat(up.getDetails()).containsEntry("lastCheckpointSize", log.size());
      InMemoryAuditStore store = (InMemoryAuditStore) context.getBean(AuditStore.class);
      store.tamper(l -> new ArrayList<>(l.subList(2, l.size())));
      long left = store.read(0).count();
      Health down = indicator.health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat((List<?>) down.getDetails().get("findings")).isNotEmpty();
      // Verifying never repairs or deletes: the store still holds what the attacker left.
      assertThat(store.read(0).count()).isEqualTo(left);
    });
  }

  @Test
  void keyringHealth_isUpThenTheConfiguredStatusWhenRotationIsOverdue() {
    for (String configured : new String[] {"DOWN", "OUT_OF_SERVICE"}) {
      runner.withPropertyValues("bulwark.crypto.rotation-max-age=30d",
          "bulwark.actuator.rotation-overdue-status=" + configured.toLowerCase(java.util.Locale.ROOT)).run(context -> {
            Envelope envelope = context.getBean(Envelope.class);
            envelope.encrypt(new byte[] {1}, EncryptionContext.of("k", "v"));
            KeyringHealthIndicator indicator = context.getBean(KeyringHealthIndicator.class);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            context.getBean(Clocked.class).clock.advance(Duration.ofDays(30));
            Health overdue = indicator.health();
            assertThat(overdue.getStatus().getCode()).isEqualTo(configured);
            assertThat(overdue.getDetails()).containsEntry("rotationOverdue", List.of("default"));
          });
    }
  }

  @Test
  void unknownOverdueStatus_failsStartUpNamingTheProperty() {
    runner.withPropertyValues("bulwark.actuator.rotation-overdue-status=WARN").run(context -> {
      Throwable t = context.getStartupFailure();
      while (t != null && !(t instanceof BulwarkConfigurationException)) {
        t = t.getCause();
      }
      assertThat(t).isNotNull();
      assertThat(((BulwarkConfigurationException) t).property()).isEqualTo("bulwark.actuator.rotation-overdue-status");
    });
  }

  @Test
  void endpoint_showsVersionsAndTheLastReport_neverKeyMaterial() {
    runner.run(context -> {
      Envelope envelope = context.getBean(Envelope.class);
      envelope.encrypt(new byte[] {1}, EncryptionContext.of("k", "v"));
      appendSome(context.getBean(AuditLog.class), 3);
      context.getBean(AuditLogHealthIndicator.class).health();
      var report = context.getBean(BulwarkEndpoint.class).report();
      assertThat(report).containsKeys("keyrings", "auditVerification");
      String text = report.toString();
      assertThat(text).contains("default").contains("PRIMARY").contains("intact=true");
      assertThat(text).doesNotContain(MASTER_KEY).doesNotContainIgnoringCase("kekRef").doesNotContain("wrapped");
    });
  }
}
