package dev.bulwark.samples.notes;

import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The Spring Boot application: the starter's auto-configuration plus the sample's configuration classes. */
@SpringBootApplication(proxyBeanMethods = false)
@EnableScheduling
@EnableConfigurationProperties(NotesProperties.class)
class NotesApplication {

  /** The clock of every module (the starter's beans use it too); tests register a movable one. */
  @Bean
  @ConditionalOnMissingBean(Clock.class)
  Clock notesClock() {
    return Clock.systemUTC();
  }
}
