package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.jdbc.JdbcKeyringStore;
import dev.bulwark.crypto.spi.KeyringStore;
import dev.bulwark.testing.pg.PostgresSchema;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** With the application's DataSource, every store is JDBC, in a schema of this test's own. */
class BulwarkJdbcAutoConfigurationIT {

  private PostgresSchema db;

  @BeforeEach
  void createSchema() {
    db = PostgresSchema.create("spring");
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }

  private ApplicationContextRunner runner() {
    return BulwarkAutoConfigurationTest.withDataSource(db.dataSource());
  }

  @Test
  void dataSource_makesEveryStoreJdbc_andStateOutlivesTheContext() {
    EncryptionContext ctx = EncryptionContext.of("table", "notes");
    AtomicReference<byte[]> ciphertext = new AtomicReference<>();
    runner().run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(KeyringStore.class)).isInstanceOf(JdbcKeyringStore.class);
      assertThat(context.getBean(AuditStore.class)).isInstanceOf(JdbcAuditStore.class);
      assertThat(context.getBean(SessionStore.class)).isInstanceOf(JdbcSessionStore.class);
      assertThat(context.getBean(AttemptStore.class)).isInstanceOf(JdbcAttemptStore.class);
      ciphertext.set(context.getBean(Envelope.class).encrypt("kept".getBytes(StandardCharsets.UTF_8), ctx));
      assertThat(context.getBean(AuditLog.class).size()).isPositive();
    });
    runner().run(context -> {
      assertThat(new String(context.getBean(Envelope.class).decrypt(ciphertext.get(), ctx), StandardCharsets.UTF_8))
          .isEqualTo("kept");
      assertThat(context.getBean(AuditVerifier.class).verify(context.getBean(AuditStore.class)).intact()).isTrue();
    });
  }
}
