package dev.bulwark.samples.notes;

import com.zaxxer.hikari.HikariDataSource;
import dev.bulwark.authn.PurgeSchedule;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.authz.jdbc.JdbcAuthzStore;
import dev.bulwark.authz.jdbc.RlsVerifier;
import dev.bulwark.authz.spi.AuthzStore;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import dev.bulwark.spring.autoconfigure.BulwarkConfigurationException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * The {@code postgres} profile: everything in PostgreSQL, in the deployment shape row-level
 * security needs. The application role ({@code spring.datasource.username}) runs every query;
 * the owner role ({@code notes.postgres.owner}) runs the migration at start. The DataSource bean
 * is ready only after the migration and after {@link RlsVerifier} found that the application role
 * cannot bypass row-level security on the tenant table, so nothing is opened or served before.
 * The starter puts its own stores (keyrings, audit log, lockout counters, sessions, passkeys and
 * ceremonies, rate-limit state) on this DataSource.
 */
@Configuration(proxyBeanMethods = false)
@Profile("postgres")
class PostgresConfiguration {

  /** The application role's pool, after the owner's migration and the row-level security check. */
  @Bean(destroyMethod = "close")
  DataSource dataSource(DataSourceProperties props, NotesProperties notes) throws SQLException {
    String url = props.getUrl();
    if (url == null || !url.startsWith("jdbc:postgresql://")) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, "spring.datasource.url",
          "a PostgreSQL JDBC URL like jdbc:postgresql://127.0.0.1:5432/test");
    }
    PGSimpleDataSource parsed = new PGSimpleDataSource();
    try {
      parsed.setURL(url);
    } catch (IllegalArgumentException e) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, "spring.datasource.url",
          "a PostgreSQL JDBC URL like jdbc:postgresql://127.0.0.1:5432/test");
    }
    if (parsed.getUser() != null || parsed.getPassword() != null) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, "spring.datasource.url",
          "a URL without user or password: the roles are spring.datasource.username and notes.postgres.owner,"
              + " passwords come from BULWARK_NOTES_PG_PASSWORD and BULWARK_NOTES_PG_OWNER_PASSWORD");
    }
    String appRole = props.getUsername();
    if (!JdbcAppStore.validRoleName(appRole)) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE,
          "spring.datasource.username", "the application role: lower-case letters, digits and '_'");
    }
    Optional<String> owner = Optional.ofNullable(notes.postgres().owner()).filter(o -> !"none".equals(o));
    if (owner.isPresent() && !JdbcAppStore.validRoleName(owner.get())) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, "notes.postgres.owner",
          "the owner role: lower-case letters, digits and '_', or none");
    }
    if (owner.isPresent()) {
      PGSimpleDataSource ownerDs = new PGSimpleDataSource();
      ownerDs.setURL(url);
      ownerDs.setUser(owner.get());
      String pw = notes.postgres().ownerPassword();
      if (pw != null && !pw.isEmpty()) {
        ownerDs.setPassword(pw);
      }
      JdbcAppStore.migrate(ownerDs, appRole);
    }
    HikariDataSource pool = props.initializeDataSourceBuilder().type(HikariDataSource.class).build();
    pool.setPoolName("bulwark-notes");
    try {
      RlsVerifier.requireSafe(pool, JdbcAppStore.TENANT_TABLES);
    } catch (RuntimeException | SQLException e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  @Bean(destroyMethod = "close")
  AppStore notesStore(DataSource ds) {
    return new JdbcAppStore(ds);
  }

  /** The lifecycle tables were made by the owner's migration; here they are only checked. */
  @Bean
  LifecycleStore notesLifecycleStore(DataSource ds) {
    return JdbcLifecycleStore.create(ds, TableMapping.of(NotesService.NOTE, JdbcAppStore.NOTE_LIFECYCLE_TABLE)
        .withSubject("owner_id").withOperation("delete_op"));
  }

  @Bean
  AuthzStore notesAuthzStore(DataSource ds) {
    return JdbcAuthzStore.create(ds);
  }

  /**
   * authn's purge of expired rows (ceremonies, lockout attempts, used TOTP steps, sessions) every
   * 10 minutes, so a flood of unauthenticated {@code login/start} calls leaves nothing behind.
   */
  @Bean(initMethod = "start", destroyMethod = "close")
  PurgeSchedule notesAuthnPurge(AttemptStore attempts, SessionStore sessions, UsedTotpStepStore steps,
      ChallengeStore challenges, Clock clock) {
    PurgeSchedule.Builder b = PurgeSchedule.builder()
        .every(NotesService.AUTHN_PURGE_INTERVAL).clock(clock)
        .onError((task, e) -> System.err.println("bulwark-notes: purge of " + task + " failed: " + e.getMessage()));
    if (attempts instanceof JdbcAttemptStore a) {
      b.attempts(a);
    }
    if (steps instanceof JdbcUsedTotpStepStore t) {
      b.totpSteps(t);
    }
    if (challenges instanceof JdbcChallengeStore c) {
      b.challenges(c);
    }
    if (sessions instanceof JdbcSessionStore s) {
      b.sessions(s);
    }
    return b.build();
  }
}
