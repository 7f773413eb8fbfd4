package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.micrometer.BulwarkObservations;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class BulwarkObservationAutoConfigurationTest {

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    final List<String> names = new CopyOnWriteArrayList<>();

    @Bean
    ObservationRegistry observationRegistry() {
      ObservationRegistry r = ObservationRegistry.create();
      r.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
        @Override
        public boolean supportsContext(Observation.Context context) {
          return true;
        }

        @Override
        public void onStop(Observation.Context context) {
          names.add(context.getName());
        }
      });
      return r;
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BulwarkObservationAutoConfiguration.class,
          BulwarkAuditAutoConfiguration.class, BulwarkCryptoAutoConfiguration.class,
          BulwarkAuthnAutoConfiguration.class))
      .withPropertyValues(TestSecrets.all());

  @Test
  void withARegistry_keyEventsOfTheAutoConfiguredKeyringsAreObserved() {
    runner.withUserConfiguration(Registry.class).run(context -> {
      Envelope envelope = context.getBean(Envelope.class);
      envelope.encrypt(new byte[] {1}, EncryptionContext.of("k", "v"));
      assertThat(context.getBean(Registry.class).names).contains("bulwark.crypto.key");
    });
  }

  @Test
  void withoutARegistry_nothingIsAdded() {
    runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BulwarkObservations.class));
  }
}
