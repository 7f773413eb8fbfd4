package dev.bulwark.spring.autoconfigure;

import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.MfaPolicy;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.password.Pepper;
import dev.bulwark.authn.recovery.RecoveryCodes;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.authn.stepup.StepUp;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.jdbc.JdbcPendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.jdbc.JdbcTotpCredentialStore;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.spring.autoconfigure.internal.Secrets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Passwords, lockout, sessions, step-up and the login flow ({@code bulwark.authn.*}). Counters and
 * sessions live in the application's DataSource when there is one, in memory otherwise. The
 * {@link LoginFlow} is created once the application defines an {@link AccountDirectory} bean (its
 * users); a {@link TotpAuthenticator} or {@link RecoveryCodes} bean adds those factors. Security
 * events go to every {@link SecurityEventListener} bean (the audit log's among them).
 *
 * <p>TOTP: the credentials, the pending enrolments and the used steps live in the DataSource
 * ({@code JdbcTotpCredentialStore}, {@code JdbcPendingTotpEnrollmentStore},
 * {@code JdbcUsedTotpStepStore}) or in memory, by {@code bulwark.authn.store}. Seeds are encrypted
 * by a {@link SeedProtector} bean: the application's own, or one over bulwark-crypto's
 * {@link Envelope} (context {@code purpose=totp-seed, credential=<id>}) when that bean exists.
 * With a protector, a {@link TotpAuthenticator} over those stores is created (and the login flow
 * uses it); without one there is none, since seeds never go to the database in the clear.
 */
@AutoConfiguration(after = {BulwarkAuditAutoConfiguration.class, BulwarkCryptoAutoConfiguration.class}, afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(LoginFlow.class)
@EnableConfigurationProperties(BulwarkAuthnProperties.class)
public class BulwarkAuthnAutoConfiguration {

  static final String PEPPER = "bulwark.authn.pepper";

  /** Every {@link SecurityEventListener} bean as one listener. */
  static SecurityEventListener listener(ObjectProvider<SecurityEventListener> listeners) {
    List<SecurityEventListener> all = listeners.orderedStream().toList();
    return all.isEmpty() ? SecurityEventListener.NONE : e -> all.forEach(l -> l.onEvent(e));
  }

  private static StoreKind kind(StoreKind configured, DataSource ds, String property) {
    if (configured == StoreKind.FILE) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, property,
          "auto, memory or jdbc (there is no file store for lockout counters and sessions)");
    }
    if (configured == StoreKind.JDBC && ds == null) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, property,
          "auto or memory: 'jdbc' needs a single DataSource bean and there is none");
    }
    return configured == StoreKind.AUTO ? (ds != null ? StoreKind.JDBC : StoreKind.MEMORY) : configured;
  }

  @Bean
  @ConditionalOnMissingBean
  PasswordHasher bulwarkPasswordHasher(BulwarkAuthnProperties props, Environment env) {
    byte[] raw = Secrets.base64(env, PEPPER, props.pepper(), 32, 64).orElseGet(() -> Secrets.random(32));
    try {
      Pepper pepper;
      try {
        pepper = Pepper.of(props.pepperId(), raw);
      } catch (IllegalArgumentException e) {
        throw Secrets.invalid("bulwark.authn.pepper-id", "1-8 characters of [A-Za-z0-9._-]", e);
      }
      return PasswordHasher.builder().pepper(pepper).build();
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  @Bean
  @ConditionalOnMissingBean
  AttemptStore bulwarkAttemptStore(BulwarkAuthnProperties props, ObjectProvider<DataSource> dataSource,
      ObjectProvider<Clock> clock) {
    DataSource ds = dataSource.getIfUnique();
    Clock c = clock.getIfUnique(Clock::systemUTC);
    return kind(props.store(), ds, "bulwark.authn.store") == StoreKind.JDBC
        ? new JdbcAttemptStore(ds, c) : AttemptStore.inMemory(c);
  }

  @Bean
  @ConditionalOnMissingBean
  Lockout bulwarkLockout(AttemptStore store, ObjectProvider<SecurityEventListener> listeners,
      ObjectProvider<Clock> clock) {
    return Lockout.builder(store).clock(clock.getIfUnique(Clock::systemUTC)).listener(listener(listeners)).build();
  }

  @Bean
  @ConditionalOnMissingBean
  SessionStore bulwarkSessionStore(BulwarkAuthnProperties props, ObjectProvider<DataSource> dataSource,
      ObjectProvider<Clock> clock) {
    DataSource ds = dataSource.getIfUnique();
    return kind(props.store(), ds, "bulwark.authn.store") == StoreKind.JDBC
        ? new JdbcSessionStore(ds) : new InMemorySessionStore(clock.getIfUnique(Clock::systemUTC));
  }

  @Bean
  @ConditionalOnMissingBean
  Sessions bulwarkSessions(SessionStore store, ObjectProvider<SecurityEventListener> listeners,
      ObjectProvider<Clock> clock) {
    return Sessions.builder(store).clock(clock.getIfUnique(Clock::systemUTC)).listener(listener(listeners)).build();
  }

  @Bean
  @ConditionalOnMissingBean
  StepUp bulwarkStepUp(ObjectProvider<SecurityEventListener> listeners, ObjectProvider<Clock> clock) {
    return new StepUp(clock.getIfUnique(Clock::systemUTC), listener(listeners));
  }

  @Bean
  @ConditionalOnMissingBean
  TotpCredentialStore bulwarkTotpCredentialStore(BulwarkAuthnProperties props, ObjectProvider<DataSource> dataSource) {
    DataSource ds = dataSource.getIfUnique();
    return kind(props.store(), ds, "bulwark.authn.store") == StoreKind.JDBC
        ? new JdbcTotpCredentialStore(ds) : TotpCredentialStore.inMemory();
  }

  @Bean
  @ConditionalOnMissingBean
  PendingTotpEnrollmentStore bulwarkPendingTotpEnrollmentStore(BulwarkAuthnProperties props,
      ObjectProvider<DataSource> dataSource) {
    DataSource ds = dataSource.getIfUnique();
    return kind(props.store(), ds, "bulwark.authn.store") == StoreKind.JDBC
        ? new JdbcPendingTotpEnrollmentStore(ds) : PendingTotpEnrollmentStore.inMemory();
  }

  @Bean
  @ConditionalOnMissingBean
  UsedTotpStepStore bulwarkUsedTotpStepStore(BulwarkAuthnProperties props, ObjectProvider<DataSource> dataSource,
      ObjectProvider<Clock> clock) {
    DataSource ds = dataSource.getIfUnique();
    Clock c = clock.getIfUnique(Clock::systemUTC);
    return kind(props.store(), ds, "bulwark.authn.store") == StoreKind.JDBC
        ? new JdbcUsedTotpStepStore(ds, c) : UsedTotpStepStore.inMemory(c);
  }

  /** TOTP seeds encrypted by bulwark-crypto's envelope, bound to the credential id. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Envelope.class)
  static class TotpSeedsOverEnvelope {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(Envelope.class)
    SeedProtector bulwarkTotpSeedProtector(Envelope envelope) {
      return SeedProtector.of(
          (seed, id) -> envelope.encrypt(seed, EncryptionContext.of("purpose", "totp-seed", "credential", id)),
          (box, id) -> envelope.decrypt(box, EncryptionContext.of("purpose", "totp-seed", "credential", id)));
    }
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(SeedProtector.class)
  TotpAuthenticator bulwarkTotpAuthenticator(TotpCredentialStore credentials, UsedTotpStepStore usedSteps,
      PendingTotpEnrollmentStore pending, SeedProtector protector, ObjectProvider<SecurityEventListener> listeners,
      ObjectProvider<Clock> clock) {
    return TotpAuthenticator.builder(credentials, usedSteps).seedProtector(protector).pendingEnrollments(pending)
        .clock(clock.getIfUnique(Clock::systemUTC)).listener(listener(listeners)).build();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(AccountDirectory.class)
  LoginFlow bulwarkLoginFlow(BulwarkAuthnProperties props, AccountDirectory accounts, PasswordHasher hasher,
      Lockout lockout, ObjectProvider<TotpAuthenticator> totp, ObjectProvider<RecoveryCodes> recoveryCodes,
      ObjectProvider<SecurityEventListener> listeners, ObjectProvider<Clock> clock) {
    LoginFlow.Builder b = LoginFlow.builder(accounts, hasher, lockout)
        .mfaPolicy(props.mfaForEveryone() ? MfaPolicy.everyone() : MfaPolicy.adminsOnly())
        .clock(clock.getIfUnique(Clock::systemUTC))
        .listener(listener(listeners));
    Optional.ofNullable(totp.getIfUnique()).ifPresent(b::totp);
    Optional.ofNullable(recoveryCodes.getIfUnique()).ifPresent(b::recoveryCodes);
    return b.build();
  }
}
