package dev.bulwark.spring.autoconfigure;

import dev.bulwark.micrometer.BulwarkObservations;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer observations of Bulwark's modules when bulwark-micrometer is on the class path and the
 * application has an {@link ObservationRegistry}: the modules' listeners are registered as beans,
 * so the auto-configured keyrings, envelope ({@code bulwark.crypto.encrypt}/{@code decrypt}),
 * lockout, sessions, login flow and rate limiter report to it.
 * To time audit appends, wrap the store with {@link BulwarkObservations#observe}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration"})
@ConditionalOnClass({BulwarkObservations.class, ObservationRegistry.class})
@ConditionalOnBean(ObservationRegistry.class)
public class BulwarkObservationAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  BulwarkObservations bulwarkObservations(ObservationRegistry registry) {
    return new BulwarkObservations(registry);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.authn.SecurityEventListener")
  static class Authn {
    @Bean
    dev.bulwark.authn.SecurityEventListener bulwarkObservedSecurityEvents(BulwarkObservations observations) {
      return observations.authn();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.crypto.KeyEventListener")
  static class Crypto {
    @Bean
    dev.bulwark.crypto.KeyEventListener bulwarkObservedKeyEvents(BulwarkObservations observations) {
      return observations.crypto();
    }

    /** Every message the auto-configured {@code Envelope} encrypts or decrypts, timed. */
    @Bean
    @ConditionalOnMissingBean
    dev.bulwark.crypto.EnvelopeObserver bulwarkObservedEnvelope(BulwarkObservations observations) {
      return observations.envelope();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.ratelimit.RateLimitListener")
  static class RateLimit {
    @Bean
    dev.bulwark.ratelimit.RateLimitListener bulwarkObservedRateLimitEvents(BulwarkObservations observations) {
      return observations.rateLimitStore();
    }
  }
}
