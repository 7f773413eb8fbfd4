package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.EnvelopeObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** With an ObservationRegistry, the auto-configured envelope reports bulwark.crypto.encrypt / decrypt. */
class BulwarkEnvelopeObservationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BulwarkObservationAutoConfiguration.class,
          BulwarkAuditAutoConfiguration.class, BulwarkCryptoAutoConfiguration.class,
          BulwarkAuthnAutoConfiguration.class))
      .withPropertyValues(TestSecrets.all());

  @Test
  void theAutoConfiguredEnvelope_isObserved() {
    List<String> stopped = new CopyOnWriteArrayList<>();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(Observation.Context context) {
        stopped.add(context.getName() + " " + context.getLowCardinalityKeyValues().stream()
            .map(kv -> kv.getKey() + "=" + kv.getValue()).sorted().collect(Collectors.joining(",")));
      }
    });
    runner.withBean(ObservationRegistry.class, () -> registry).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(EnvelopeObserver.class);
      Envelope envelope = context.getBean(Envelope.class);
      EncryptionContext ctx = EncryptionContext.of("tenant", "acme");
      byte[] ct = envelope.encrypt(new byte[] {1, 2, 3}, ctx);
      envelope.decrypt(ct, ctx);
      try {
        envelope.decrypt(ct, EncryptionContext.of("tenant", "other"));
      } catch (java.security.GeneralSecurityException expected) {
        // observed as a failure
      }
      assertThat(stopped.stream().filter(s -> s.startsWith("bulwark.crypto.encrypt") || s.startsWith("bulwark.crypto.decrypt")))
          .containsExactly(
              "bulwark.crypto.encrypt error=none,mode=one_shot,outcome=success",
              "bulwark.crypto.decrypt error=none,mode=one_shot,outcome=success",
              "bulwark.crypto.decrypt error=decryption_failed,mode=one_shot,outcome=failure");
    });
  }

  @Test
  void withoutARegistry_theEnvelopeHasNoObserver() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(EnvelopeObserver.class);
      assertThat(context.getBean(Envelope.class).toString()).doesNotContain("observed");
    });
  }
}
