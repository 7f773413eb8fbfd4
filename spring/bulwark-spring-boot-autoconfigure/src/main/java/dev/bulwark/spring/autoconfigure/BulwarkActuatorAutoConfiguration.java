package dev.bulwark.spring.autoconfigure;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.spring.actuate.AuditLogHealthIndicator;
import dev.bulwark.spring.actuate.AuditVerification;
import dev.bulwark.spring.actuate.BulwarkEndpoint;
import dev.bulwark.spring.actuate.KeyringHealthIndicator;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator health for the audit log ({@code bulwarkAuditLog}) and the keyrings
 * ({@code bulwarkKeyrings}), and the read-only {@code bulwark} endpoint. Spring Boot 4 only (the
 * health API moved to {@code org.springframework.boot.health.contributor}).
 */
@AutoConfiguration(after = {BulwarkAuditAutoConfiguration.class, BulwarkCryptoAutoConfiguration.class})
@ConditionalOnClass(HealthIndicator.class)
@EnableConfigurationProperties(BulwarkActuatorProperties.class)
public class BulwarkActuatorAutoConfiguration {

  /** The audit log's health. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.audit.AuditLog")
  @ConditionalOnBean({AuditLog.class, AuditVerifier.class, AuditStore.class})
  static class Audit {
    @Bean
    @ConditionalOnMissingBean
    AuditVerification bulwarkAuditVerification(AuditVerifier verifier, AuditStore store,
        BulwarkActuatorProperties props, ObjectProvider<Clock> clock) {
      if (props.verifyInterval().isNegative()) {
        throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE,
            "bulwark.actuator.verify-interval", "a duration of zero or more (e.g. 5m)");
      }
      return new AuditVerification(verifier, store, clock.getIfUnique(Clock::systemUTC), props.verifyInterval());
    }

    @Bean(name = "bulwarkAuditLogHealthIndicator")
    @ConditionalOnMissingBean(name = "bulwarkAuditLogHealthIndicator")
    AuditLogHealthIndicator bulwarkAuditLogHealthIndicator(AuditVerification verification, AuditLog log) {
      return new AuditLogHealthIndicator(verification, log);
    }
  }

  /** The keyrings' health. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.crypto.Keyrings")
  @ConditionalOnBean(Keyrings.class)
  static class Crypto {
    @Bean(name = "bulwarkKeyringsHealthIndicator")
    @ConditionalOnMissingBean(name = "bulwarkKeyringsHealthIndicator")
    KeyringHealthIndicator bulwarkKeyringsHealthIndicator(Keyrings keyrings, BulwarkCryptoProperties crypto,
        BulwarkActuatorProperties props, ObjectProvider<Clock> clock) {
      String s = props.rotationOverdueStatus().strip().toUpperCase(Locale.ROOT);
      if (!s.equals("DOWN") && !s.equals("OUT_OF_SERVICE")) {
        throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE,
            "bulwark.actuator.rotation-overdue-status", "DOWN or OUT_OF_SERVICE");
      }
      return new KeyringHealthIndicator(keyrings, crypto.rotationMaxAge(),
          s.equals("DOWN") ? Status.DOWN : Status.OUT_OF_SERVICE, clock.getIfUnique(Clock::systemUTC));
    }
  }

  /** The read-only endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static class Endpoints {
    @Bean
    @ConditionalOnMissingBean
    BulwarkEndpoint bulwarkEndpoint(ObjectProvider<Keyrings> keyrings, ObjectProvider<AuditVerification> verification) {
      return new BulwarkEndpoint(Optional.ofNullable(keyrings.getIfUnique()),
          Optional.ofNullable(verification.getIfUnique()));
    }
  }
}
