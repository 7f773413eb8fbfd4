package dev.bulwark.samples.notes;

import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.authn.webauthn.InMemoryChallengeStore;
import dev.bulwark.authn.webauthn.InMemoryCredentialStore;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.authz.InMemoryAuthzStore;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.LifecycleStore;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * The embedded default: accounts, notes, lifecycle state and authz bindings in memory (the
 * starter keeps TOTP credentials and enrolments, passkeys, ceremonies, sessions, lockout counters
 * and rate-limit state in memory too, and the keyring and the audit log in files).
 */
@Configuration(proxyBeanMethods = false)
@Profile("!postgres")
class MemoryStoresConfiguration {

  @Bean
  InMemoryHostRecords notesHostRecords() {
    return InMemoryHostRecords.of(NotesService.NOTE);
  }

  @Bean(destroyMethod = "close")
  AppStore notesStore(InMemoryHostRecords records) {
    return new MemoryAppStore(records);
  }

  @Bean
  LifecycleStore notesLifecycleStore(InMemoryHostRecords records) {
    return LifecycleStore.inMemory(records);
  }

  @Bean
  AuthzStore notesAuthzStore() {
    return new InMemoryAuthzStore();
  }
}
